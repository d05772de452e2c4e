package userguard

import (
	"encoding/json"
	"fmt"
	"strings"
)

// AlertUser is a user an alert's evidence names, with the identifiers a
// response action needs: the Entra ID object id for cloud actions, the
// on-premises SID and DOMAIN\name for Defender for Identity's.
type AlertUser struct {
	UserPrincipalName string   `json:"userPrincipalName,omitempty"`
	AzureADUserID     string   `json:"azureAdUserId,omitempty"`
	AccountName       string   `json:"accountName,omitempty"`
	DomainName        string   `json:"domainName,omitempty"`
	SID               string   `json:"userSid,omitempty"`
	Roles             []string `json:"roles,omitempty"` // e.g. "attacker", "compromised"
}

// Name is the best name to show and to pass to a response action.
func (u AlertUser) Name() string {
	switch {
	case u.UserPrincipalName != "":
		return u.UserPrincipalName
	case u.AccountName != "" && u.DomainName != "":
		return u.DomainName + `\` + u.AccountName
	case u.AzureADUserID != "":
		return u.AzureADUserID
	}
	return u.SID
}

// AlertDevice is a device an alert's evidence names.
type AlertDevice struct {
	MDEDeviceID     string `json:"mdeDeviceId,omitempty"`
	AzureADDeviceID string `json:"azureAdDeviceId,omitempty"`
	DNSName         string `json:"deviceDnsName,omitempty"`
}

// AlertEntities are the users and devices in an alert's evidence, each
// once, in evidence order.
type AlertEntities struct {
	Users   []AlertUser   `json:"users,omitempty"`
	Devices []AlertDevice `json:"devices,omitempty"`
}

// Entities reads the users and devices out of the alert's evidence
// (alerts_v2 evidence: userEvidence, deviceEvidence, and the userAccount
// of processEvidence and other kinds). Evidence of other kinds is ignored;
// an evidence list that is not JSON is an error.
// https://learn.microsoft.com/en-us/graph/api/resources/security-alertevidence
func (a Alert) Entities() (AlertEntities, error) {
	var doc struct {
		Evidence []struct {
			Type        string   `json:"@odata.type"`
			Roles       []string `json:"roles"`
			UserAccount *struct {
				AccountName       string `json:"accountName"`
				DomainName        string `json:"domainName"`
				UserSid           string `json:"userSid"`
				AzureAdUserID     string `json:"azureAdUserId"`
				UserPrincipalName string `json:"userPrincipalName"`
			} `json:"userAccount"`
			MDEDeviceID     string `json:"mdeDeviceId"`
			AzureAdDeviceID string `json:"azureAdDeviceId"`
			DeviceDNSName   string `json:"deviceDnsName"`
		} `json:"evidence"`
	}
	if len(a.Raw) == 0 {
		return AlertEntities{}, nil
	}
	if err := json.Unmarshal(a.Raw, &doc); err != nil {
		return AlertEntities{}, fmt.Errorf("alert %s evidence: %w", a.ID, err)
	}
	var out AlertEntities
	users, devices := map[string]int{}, map[string]bool{}
	for _, e := range doc.Evidence {
		if ua := e.UserAccount; ua != nil {
			u := AlertUser{UserPrincipalName: ua.UserPrincipalName, AzureADUserID: ua.AzureAdUserID,
				AccountName: ua.AccountName, DomainName: ua.DomainName, SID: ua.UserSid}
			key := strings.ToLower(u.AzureADUserID + "|" + u.SID + "|" + u.Name())
			if key == "||" {
				continue
			}
			// Only userEvidence carries the user's role in the alert; the
			// account of a process is the same user seen from elsewhere.
			if i, seen := users[key]; seen {
				if strings.HasSuffix(e.Type, ".userEvidence") {
					out.Users[i].Roles = e.Roles
				}
				continue
			}
			if strings.HasSuffix(e.Type, ".userEvidence") {
				u.Roles = e.Roles
			}
			users[key] = len(out.Users)
			out.Users = append(out.Users, u)
		}
		if strings.HasSuffix(e.Type, ".deviceEvidence") {
			d := AlertDevice{MDEDeviceID: e.MDEDeviceID, AzureADDeviceID: e.AzureAdDeviceID, DNSName: e.DeviceDNSName}
			key := strings.ToLower(d.MDEDeviceID + "|" + d.AzureADDeviceID + "|" + d.DNSName)
			if key == "||" || devices[key] {
				continue
			}
			devices[key] = true
			out.Devices = append(out.Devices, d)
		}
	}
	return out, nil
}
