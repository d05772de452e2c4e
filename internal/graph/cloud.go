package graph

import (
	"net/url"
	"strings"
)

// Cloud names accepted in Config.Cloud.
const (
	CloudGlobal   = "global"
	CloudUSGov    = "usgov"    // US Government L4 (GCC High)
	CloudUSGovDoD = "usgovdod" // US Government L5 (DoD)
	CloudChina    = "china"    // operated by 21Vianet
)

// cloudEndpoints are a national cloud's token authority and Graph root, from
// https://learn.microsoft.com/en-us/graph/deployments ("App registration and
// token service root endpoints" and "Microsoft Graph and Graph Explorer
// service root endpoints"). Both US Government levels sign in at
// login.microsoftonline.us.
type cloudEndpoints struct {
	authority string
	graph     string
}

var clouds = map[string]cloudEndpoints{
	CloudGlobal:   {"https://login.microsoftonline.com/", "https://graph.microsoft.com/v1.0"},
	CloudUSGov:    {"https://login.microsoftonline.us/", "https://graph.microsoft.us/v1.0"},
	CloudUSGovDoD: {"https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/v1.0"},
	CloudChina:    {"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
}

// microsoftAuthorities are the hosts MSAL trusts for instance discovery. For
// any other host MSAL would ask login.microsoftonline.com about it, which is
// a request to the internet we do not want when pointed at an emulator or a
// private cloud, so such hosts get DisableInstanceDiscovery.
var microsoftAuthorities = map[string]bool{
	"login.microsoftonline.com":    true,
	"login.microsoftonline.us":     true,
	"login.chinacloudapi.cn":       true,
	"login.windows.net":            true,
	"login-us.microsoftonline.com": true,
	"login.microsoftonline.de":     true,
	"login.cloudgovapi.us":         true,
}

// isMicrosoftAuthority reports whether the authority URL is one of
// Microsoft's sign-in hosts.
func isMicrosoftAuthority(authority string) bool {
	u, err := url.Parse(authority)
	if err != nil {
		return false
	}
	return microsoftAuthorities[strings.ToLower(u.Hostname())]
}
