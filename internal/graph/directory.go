package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
)

// User is a directory user. Raw holds the JSON Graph returned.
type User struct {
	ID                string          `json:"id"`
	DisplayName       string          `json:"displayName"`
	UserPrincipalName string          `json:"userPrincipalName"`
	Mail              string          `json:"mail"`
	AccountEnabled    *bool           `json:"accountEnabled"`
	UserType          string          `json:"userType"`
	Raw               json.RawMessage `json:"-"`
}

// Group is a directory group.
type Group struct {
	ID              string          `json:"id"`
	DisplayName     string          `json:"displayName"`
	Mail            string          `json:"mail"`
	MailEnabled     bool            `json:"mailEnabled"`
	SecurityEnabled bool            `json:"securityEnabled"`
	GroupTypes      []string        `json:"groupTypes"`
	Raw             json.RawMessage `json:"-"`
}

// Organization is the tenant's organization object.
type Organization struct {
	ID              string           `json:"id"`
	DisplayName     string           `json:"displayName"`
	VerifiedDomains []VerifiedDomain `json:"verifiedDomains"`
	Raw             json.RawMessage  `json:"-"`
}

// VerifiedDomain is a domain listed on the Organization.
type VerifiedDomain struct {
	Name      string `json:"name"`
	IsDefault bool   `json:"isDefault"`
	IsInitial bool   `json:"isInitial"`
}

// Domain is a domain registered in the tenant.
type Domain struct {
	ID                 string          `json:"id"`
	IsDefault          bool            `json:"isDefault"`
	IsInitial          bool            `json:"isInitial"`
	IsVerified         bool            `json:"isVerified"`
	AuthenticationType string          `json:"authenticationType"`
	Raw                json.RawMessage `json:"-"`
}

// SubscribedSku is a licence the tenant holds.
type SubscribedSku struct {
	ID               string          `json:"id"`
	SkuID            string          `json:"skuId"`
	SkuPartNumber    string          `json:"skuPartNumber"`
	CapabilityStatus string          `json:"capabilityStatus"`
	ConsumedUnits    int             `json:"consumedUnits"`
	PrepaidUnits     PrepaidUnits    `json:"prepaidUnits"`
	Raw              json.RawMessage `json:"-"`
}

// PrepaidUnits counts a SubscribedSku's licences by state.
type PrepaidUnits struct {
	Enabled   int `json:"enabled"`
	Suspended int `json:"suspended"`
	Warning   int `json:"warning"`
}

func (m *User) setRaw(r json.RawMessage)          { m.Raw = r }
func (m *Group) setRaw(r json.RawMessage)         { m.Raw = r }
func (m *Organization) setRaw(r json.RawMessage)  { m.Raw = r }
func (m *Domain) setRaw(r json.RawMessage)        { m.Raw = r }
func (m *SubscribedSku) setRaw(r json.RawMessage) { m.Raw = r }

// Users lists the tenant's users (GET /users).
func (c *Client) Users(ctx context.Context, opts *ListOptions) iter.Seq2[User, error] {
	req := Request{Path: "/users", Class: ClassDirectory}
	opts.apply(&req)
	return listRequest[User](ctx, c, req)
}

// User gets one user by id or user principal name.
func (c *Client) User(ctx context.Context, user string, opts *GetOptions) (*User, error) {
	req := Request{Path: userPath(user), Class: ClassDirectory}
	opts.apply(&req)
	var u User
	if err := c.doJSON(ctx, &req, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Groups lists the tenant's groups (GET /groups).
func (c *Client) Groups(ctx context.Context, opts *ListOptions) iter.Seq2[Group, error] {
	req := Request{Path: "/groups", Class: ClassDirectory}
	opts.apply(&req)
	return listRequest[Group](ctx, c, req)
}

// Organization gets the tenant's organization object. GET /organization is
// a collection of exactly one.
func (c *Client) Organization(ctx context.Context) (*Organization, error) {
	for org, err := range listRequest[Organization](ctx, c, Request{Path: "/organization", Class: ClassDirectory}) {
		if err != nil {
			return nil, err
		}
		return &org, nil
	}
	return nil, fmt.Errorf("graph: GET /organization: empty collection: %w", ErrNotFound)
}

// Domains lists the tenant's domains.
func (c *Client) Domains(ctx context.Context) iter.Seq2[Domain, error] {
	return listRequest[Domain](ctx, c, Request{Path: "/domains", Class: ClassDirectory})
}

// SubscribedSkus lists the tenant's licences.
func (c *Client) SubscribedSkus(ctx context.Context) iter.Seq2[SubscribedSku, error] {
	return listRequest[SubscribedSku](ctx, c, Request{Path: "/subscribedSkus", Class: ClassDirectory})
}
