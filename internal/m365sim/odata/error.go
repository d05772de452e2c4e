package odata

import (
	"fmt"
	"net/http"
	"strings"
)

// Error is a query the service rejects. Status is the HTTP status (always
// 400 from this package), Code and Message are Graph's error code and text,
// ready for the {"error":{"code","message"}} envelope. Message is Graph's
// wording where it is documented or widely observed; the comment at each
// place that builds one says which.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("odata: %d %s: %s", e.Status, e.Code, e.Message)
}

// Error codes used in more than one place.
const (
	codeBadRequest       = "BadRequest"
	codeUnsupportedQuery = "Request_UnsupportedQuery"
)

// newError formats a message. Formats from Rules may use fewer verbs than
// there are arguments (Exchange's filter message names no property) or
// pick them by index ("%[2]d"); a format without verbs is used verbatim.
func newError(code, format string, args ...any) *Error {
	if !strings.Contains(format, "%[") {
		args = args[:min(len(args), countVerbs(format))]
	}
	return &Error{Status: http.StatusBadRequest, Code: code, Message: fmt.Sprintf(format, args...)}
}

// countVerbs counts the formatting verbs in format ("%%" is not one).
func countVerbs(format string) int {
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}

func badRequest(format string, args ...any) *Error {
	return newError(codeBadRequest, format, args...)
}

// advancedQueryMessage is the documented answer when an operator needs the
// ConsistencyLevel header and $count=true but either is missing.
// https://learn.microsoft.com/en-us/graph/aad-advanced-queries#error-handling-for-advanced-queries-on-directory-objects
const advancedQueryMessage = "Operator '%s' is not supported because the required parameters might be missing. " +
	"Try adding $count=true query parameter and ConsistencyLevel:eventual header. " +
	"Refer to https://aka.ms/graph-docs/advanced-queries for more information"

func advancedQueryError(op string) *Error {
	return newError(codeUnsupportedQuery, advancedQueryMessage, opDisplay(op))
}

// opDisplay spells an operator the way Graph's messages do ("endsWith").
func opDisplay(op string) string {
	switch op {
	case "startswith":
		return "startsWith"
	case "endswith":
		return "endsWith"
	}
	return op
}
