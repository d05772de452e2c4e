package tenant

// BuiltInRole is a Microsoft Entra built-in role. Its role definition id is
// its template id in every tenant.
// https://learn.microsoft.com/en-us/entra/identity/role-based-access-control/permissions-reference
type BuiltInRole struct {
	Name, TemplateID, Description string
	Privileged                    bool // counted as "highly privileged" by CISA's SCuBA baseline
}

// Template ids of the built-in roles the generator assigns.
const (
	RoleGlobalAdmin       = "62e90394-69f5-4237-9190-012177145e10"
	RolePrivilegedRole    = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	RoleSecurityAdmin     = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	RoleConditionalAccess = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"
	RoleGlobalReader      = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
)

// BuiltInRoles lists the built-in roles the emulator knows, a subset of
// the roughly 130 Entra defines.
var BuiltInRoles = []BuiltInRole{
	{"Global Administrator", RoleGlobalAdmin, "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.", true},
	{"Privileged Role Administrator", RolePrivilegedRole, "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.", true},
	{"User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", "Can manage all aspects of users and groups, including resetting passwords for limited admins.", true},
	{"SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "Can manage all aspects of the SharePoint service.", true},
	{"Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de", "Can manage all aspects of the Exchange product.", true},
	{"Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Can manage AD to Microsoft Entra cloud provisioning, Microsoft Entra Connect, and federation settings.", true},
	{"Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Can create and manage all aspects of app registrations and enterprise apps.", true},
	{"Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.", true},
	{"Security Administrator", RoleSecurityAdmin, "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.", false},
	{"Conditional Access Administrator", RoleConditionalAccess, "Can manage Conditional Access capabilities.", false},
	{"Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f", "Can access to view, set and reset authentication method information for any non-admin user.", false},
	{"Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Can access to view, set and reset authentication method information for any user (admin or non-admin).", false},
	{"Global Reader", RoleGlobalReader, "Can read everything that a Global Administrator can, but not update anything.", false},
	{"Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8", "Can reset passwords for non-administrators and Helpdesk Administrators.", false},
	{"Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509", "Can read security information and reports in Microsoft Entra ID and Office 365.", false},
	{"Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5", "Can manage all aspects of the Intune product.", false},
	{"Guest Inviter", "95e79109-95c0-4d8e-aee3-d01accf2d47b", "Can invite guest users independent of the 'members can invite guests' setting.", false},
	{"Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Can read basic directory information. Commonly used to grant directory read access to applications and guests.", false},
	{"Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe", "Can perform common billing related tasks like updating payment information.", false},
	{"Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8", "Can manage the Microsoft Teams service.", false},
	{"Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.", false},
}
