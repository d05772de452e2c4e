package batch

import (
	"fmt"
	"net/http"
)

// Error is a batch the service rejects as a whole. Status is the HTTP
// status of the batch response (400), Code and Message go into Graph's
// {"error":{"code","message"}} envelope.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("batch: %d %s: %s", e.Status, e.Code, e.Message)
}

// payloadError is the observed Graph text for an unreadable batch
// (msgraph-sdk-javascript#1451), followed by what is wrong.
func payloadError(format string, args ...any) *Error {
	msg := "Invalid batch payload format."
	if format != "" {
		msg += " " + fmt.Sprintf(format, args...)
	}
	return &Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg}
}
