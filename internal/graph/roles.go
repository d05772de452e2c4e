package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// TokenInfo is what an app-only access token says about the caller. Graph
// checks these claims; the client reads them only to report what the app
// registration was granted (sg365 tenant test).
type TokenInfo struct {
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	AppName  string   `json:"app_displayname"`
	Roles    []string `json:"roles"` // granted application permissions
}

// TokenInfo gets a token (from the cache when valid) and decodes its
// claims without verifying them: the client only reads its own token, and
// Graph verifies it on every call. An opaque (non-JWT) token is an error.
func (c *Client) TokenInfo(ctx context.Context) (*TokenInfo, error) {
	tok, err := c.tokens.token(ctx)
	if err != nil {
		return nil, err
	}
	return decodeTokenInfo(tok)
}

func decodeTokenInfo(tok string) (*TokenInfo, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("access token is not a JWT (%d parts)", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("decode access token payload: %w", err)
	}
	var info TokenInfo
	if err := json.Unmarshal(payload, &info); err != nil {
		return nil, fmt.Errorf("decode access token claims: %w", err)
	}
	slices.Sort(info.Roles)
	return &info, nil
}
