package m365sim

import (
	"net/http"
	"time"
)

// graphError writes Graph's standard error envelope:
// {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}
// https://learn.microsoft.com/en-us/graph/errors
func graphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	writeJSON(w, status, errorBody(w, r, code, message))
}

func errorBody(w http.ResponseWriter, r *http.Request, code, message string) map[string]any {
	return map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"innerError": map[string]any{
			"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        w.Header().Get("request-id"),
			"client-request-id": w.Header().Get("client-request-id"),
		},
	}}
}

// Errors used by several handlers, with the codes and texts the services use.
func notFoundUser(w http.ResponseWriter, r *http.Request, id string) {
	graphError(w, r, http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
}

// Exchange answers ErrorItemNotFound for a missing message, event or contact.
func notFoundItem(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
}

// Exchange answers ErrorInvalidIdMalformed / ErrorItemNotFound for folders;
// a well-formed unknown folder id is ErrorItemNotFound.
func notFoundFolder(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
}

// OneDrive answers itemNotFound.
func notFoundDriveItem(w http.ResponseWriter, r *http.Request) {
	graphError(w, r, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
}

func badRequest(w http.ResponseWriter, r *http.Request, code, message string) {
	graphError(w, r, http.StatusBadRequest, code, message)
}
