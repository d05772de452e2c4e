package m365sim

import (
	"net/http"
	"strings"

	"github.com/safeguard365/safeguard365/internal/m365sim/limits"
)

// spec describes what the middleware checks before a Graph handler runs.
type spec struct {
	class limits.Class
	roles []string // any one grants access
	deny  denyStyle
	ru    int  // SharePoint / identity resource units
	write bool // counts toward write and upload budgets
}

type handlerFunc func(w http.ResponseWriter, r *http.Request)

func (s *Server) routes() {
	dirRead := func(roles []string, ru int) spec {
		return spec{class: limits.ClassIdentity, roles: roles, deny: denyDirectory, ru: ru}
	}
	mailR := spec{class: limits.ClassOutlook, roles: rolesMailRead, deny: denyExchange}
	mailW := spec{class: limits.ClassOutlook, roles: rolesMailWrite, deny: denyExchange, write: true}
	calR := spec{class: limits.ClassOutlook, roles: rolesCalRead, deny: denyExchange}
	calW := spec{class: limits.ClassOutlook, roles: rolesCalWrite, deny: denyExchange, write: true}
	conR := spec{class: limits.ClassOutlook, roles: rolesConRead, deny: denyExchange}
	conW := spec{class: limits.ClassOutlook, roles: rolesConWrite, deny: denyExchange, write: true}
	fileR := func(ru int) spec {
		return spec{class: limits.ClassSharePoint, roles: rolesFilesRead, deny: denyDrive, ru: ru}
	}
	fileW := spec{class: limits.ClassSharePoint, roles: rolesFilesWrite, deny: denyDrive, ru: 2, write: true}

	// Directory.
	s.handle("GET /organization", dirRead(rolesOrgRead, 1), s.listOrganization)
	s.handle("GET /domains", dirRead(rolesDomainRead, 1), s.listDomains)
	s.handle("GET /subscribedSkus", dirRead(rolesOrgRead, 3), s.listSKUs)
	s.handle("GET /users", dirRead(rolesUserRead, 2), s.listUsers)
	s.handle("GET /users/$count", dirRead(rolesUserRead, 2), s.countUsers)
	s.handle("GET /users/delta", dirRead(rolesUserRead, 2), s.usersDelta)
	s.handle("GET /users/{user}", dirRead(rolesUserRead, 1), s.getUser)
	s.handle("GET /groups", dirRead(rolesGroupRead, 2), s.listGroups)
	s.handle("GET /groups/delta", dirRead(rolesGroupRead, 2), s.groupsDelta)
	s.handle("GET /groups/{group}", dirRead(rolesGroupRead, 1), s.getGroup)
	s.handle("GET /groups/{group}/members", dirRead(rolesGroupRead, 3), s.listGroupMembers)
	s.graph.HandleFunc("/me/", s.meNotAllowed)
	s.graph.HandleFunc("/me", s.meNotAllowed)

	// Mail.
	s.handle("GET /users/{user}/mailFolders", mailR, s.listMailFolders)
	s.handle("GET /users/{user}/mailFolders/delta", mailR, s.mailFoldersDelta)
	s.handle("POST /users/{user}/mailFolders", mailW, s.createMailFolder)
	s.handle("GET /users/{user}/mailFolders/{folder}", mailR, s.getMailFolder)
	s.handle("PATCH /users/{user}/mailFolders/{folder}", mailW, s.updateMailFolder)
	s.handle("GET /users/{user}/mailFolders/{folder}/childFolders", mailR, s.listChildFolders)
	s.handle("POST /users/{user}/mailFolders/{folder}/childFolders", mailW, s.createMailFolder)
	s.handle("GET /users/{user}/mailFolders/{folder}/messages", mailR, s.listMessages)
	s.handle("POST /users/{user}/mailFolders/{folder}/messages", mailW, s.createMessage)
	s.handle("GET /users/{user}/mailFolders/{folder}/messages/delta", mailR, s.messagesDelta)
	s.handle("GET /users/{user}/messages", mailR, s.listMessages)
	s.handle("POST /users/{user}/messages", mailW, s.createMessage)
	s.handle("GET /users/{user}/messages/{msg}", mailR, s.getMessage)
	s.handle("GET /users/{user}/mailFolders/{folder}/messages/{msg}", mailR, s.getMessage)
	s.handle("PATCH /users/{user}/messages/{msg}", mailW, s.updateMessage)
	s.handle("DELETE /users/{user}/messages/{msg}", mailW, s.deleteMessage)
	s.handle("GET /users/{user}/messages/{msg}/$value", mailR, s.getMessageMIME)
	s.handle("POST /users/{user}/messages/{msg}/move", mailW, s.moveMessage)
	s.handle("GET /users/{user}/messages/{msg}/attachments", mailR, s.listAttachments)
	s.handle("POST /users/{user}/messages/{msg}/attachments", mailW, s.addAttachment)
	s.handle("GET /users/{user}/messages/{msg}/attachments/{att}", mailR, s.getAttachment)
	s.handle("GET /users/{user}/messages/{msg}/attachments/{att}/$value", mailR, s.getAttachmentValue)
	s.handle("POST /users/{user}/messages/{msg}/attachments/createUploadSession", mailW, s.createAttachmentSession)

	// Calendar.
	s.handle("GET /users/{user}/calendars", calR, s.listCalendars)
	s.handle("POST /users/{user}/calendars", calW, s.createCalendar)
	s.handle("GET /users/{user}/calendar", calR, s.getDefaultCalendar)
	s.handle("GET /users/{user}/calendarView/delta", calR, s.calendarViewDelta)
	s.handle("GET /users/{user}/events", calR, s.listEvents)
	s.handle("POST /users/{user}/events", calW, s.createEvent)
	s.handle("GET /users/{user}/calendars/{cal}/events", calR, s.listEvents)
	s.handle("POST /users/{user}/calendars/{cal}/events", calW, s.createEvent)
	s.handle("GET /users/{user}/events/{event}", calR, s.getEvent)
	s.handle("PATCH /users/{user}/events/{event}", calW, s.updateEvent)
	s.handle("DELETE /users/{user}/events/{event}", calW, s.deleteEvent)
	s.handle("GET /users/{user}/events/{event}/instances", calR, s.listInstances)
	s.handle("GET /users/{user}/calendars/{cal}/events/{event}/instances", calR, s.listInstances)
	s.handle("GET /users/{user}/events/{event}/attachments", calR, s.listEventAttachments)
	s.handle("POST /users/{user}/events/{event}/attachments", calW, s.addEventAttachment)
	s.handle("GET /users/{user}/events/{event}/attachments/{att}", calR, s.getEventAttachment)
	s.handle("GET /users/{user}/events/{event}/attachments/{att}/$value", calR, s.getEventAttachmentValue)
	s.handle("POST /users/{user}/events/{event}/attachments/createUploadSession", calW, s.createEventAttachmentSession)

	// Contacts.
	s.handle("GET /users/{user}/contactFolders", conR, s.listContactFolders)
	s.handle("POST /users/{user}/contactFolders", conW, s.createContactFolder)
	s.handle("GET /users/{user}/contactFolders/{cf}", conR, s.getContactFolder)
	s.handle("GET /users/{user}/contactFolders/{cf}/childFolders", conR, s.listContactChildFolders)
	s.handle("POST /users/{user}/contactFolders/{cf}/childFolders", conW, s.createContactFolder)
	s.handle("GET /users/{user}/contactFolders/{cf}/contacts", conR, s.listContacts)
	s.handle("POST /users/{user}/contactFolders/{cf}/contacts", conW, s.createContact)
	s.handle("GET /users/{user}/contactFolders/{cf}/contacts/delta", conR, s.contactsDelta)
	s.handle("GET /users/{user}/contacts", conR, s.listContacts)
	s.handle("POST /users/{user}/contacts", conW, s.createContact)
	s.handle("GET /users/{user}/contacts/{contact}", conR, s.getContact)
	s.handle("PATCH /users/{user}/contacts/{contact}", conW, s.updateContact)
	s.handle("DELETE /users/{user}/contacts/{contact}", conW, s.deleteContact)

	// Drives: every route under both /drives/{drive} and /users/{user}/drive.
	for _, base := range []string{"/drives/{drive}", "/users/{user}/drive"} {
		s.handle("GET "+base, fileR(1), s.getDrive)
		s.handle("GET "+base+"/items/{item}", fileR(1), s.getDriveItem)
		s.handle("PATCH "+base+"/items/{item}", fileW, s.updateDriveItem)
		s.handle("DELETE "+base+"/items/{item}", fileW, s.deleteDriveItem)
		s.handle("GET "+base+"/items/{item}/children", fileR(2), s.listChildren)
		s.handle("POST "+base+"/items/{item}/children", fileW, s.createChild)
		s.handle("GET "+base+"/items/{item}/delta", fileR(2), s.driveDelta)
		s.handle("GET "+base+"/items/{item}/content", fileR(1), s.getContent)
		s.handle("PUT "+base+"/items/{item}/content", fileW, s.putContent)
		s.handle("POST "+base+"/items/{item}/createUploadSession", fileW, s.createUploadSession)
		s.handle("GET "+base+"/items/{item}/versions", fileR(2), s.listVersions)
		s.handle("GET "+base+"/items/{item}/versions/{version}/content", fileR(1), s.getVersionContent)
		s.handle("POST "+base+"/items/{item}/versions/{version}/restoreVersion", fileW, s.restoreVersion)
		// Permission operations cost 5 resource units each (throttling
		// guidance for SharePoint and OneDrive).
		permR := spec{class: limits.ClassSharePoint, roles: rolesFilesRead, deny: denyDrive, ru: 5}
		permW := spec{class: limits.ClassSharePoint, roles: rolesFilesWrite, deny: denyDrive, ru: 5, write: true}
		s.handle("GET "+base+"/items/{item}/permissions", permR, s.listPermissions)
		s.handle("GET "+base+"/items/{item}/permissions/{perm}", permR, s.getPermission)
		s.handle("DELETE "+base+"/items/{item}/permissions/{perm}", permW, s.deletePermission)
		s.handle("POST "+base+"/items/{item}/invite", permW, s.invite)
		s.handle("POST "+base+"/items/{item}/createLink", permW, s.createLink)
	}

	// Tenant configuration (config_routes.go).
	s.configRoutes()
	// Identity protection, Defender and Intune devices (security_routes.go).
	s.securityRoutes()
	s.contextRoutes() // read-only resources posture assessment needs (context_routes.go)

	s.graph.HandleFunc("POST /$batch", s.serveBatch)
	s.graph.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		badRequest(w, r, "BadRequest", "Resource not found for the segment '"+lastSegment(r.URL.Path)+"'.")
	})
}

func lastSegment(p string) string {
	p = strings.TrimSuffix(p, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// meNotAllowed answers /me with an app-only token as Graph does.
func (s *Server) meNotAllowed(w http.ResponseWriter, r *http.Request) {
	badRequest(w, r, "BadRequest", "/me request is only valid with delegated authentication flow.")
}
