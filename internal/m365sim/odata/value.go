package odata

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Runtime values are what encoding/json produces (string, float64, bool,
// nil, []any, map[string]any) plus these literal-only types.
type (
	guidValue string    // a GUID literal; compared case-insensitively with strings
	dateValue time.Time // a date literal (yyyy-mm-dd), midnight UTC
)

// timeLayouts are the shapes date/time strings take in Graph payloads:
// RFC 3339 with a zone (createdDateTime), and dateTimeTimeZone.dateTime,
// which has seven fractional digits and no zone (read as UTC).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime reads a date or date-time string in any of timeLayouts.
func parseTime(s string) (time.Time, bool) {
	if len(s) < 10 || !matchDigits(s, "dddd-dd-dd") {
		return time.Time{}, false // cheap reject for ordinary strings
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// validDateLiteral reports whether a lexed date or date-time is a real
// calendar value (2024-02-30 is not).
func validDateLiteral(kind tokenKind, text string) bool {
	if kind == tokDate {
		_, err := time.Parse("2006-01-02", text)
		return err == nil
	}
	_, ok := parseTime(text)
	return ok
}

// literalValue converts a literal into a runtime value.
func literalValue(l Literal) any {
	switch l.Type {
	case LitString:
		return l.Text
	case LitNumber:
		f, _ := strconv.ParseFloat(l.Text, 64)
		return f
	case LitBool:
		return l.Text == "true"
	case LitGUID:
		return guidValue(l.Text)
	case LitDate:
		t, _ := time.Parse("2006-01-02", l.Text)
		return dateValue(t)
	case LitDateTime:
		t, _ := parseTime(l.Text)
		return t
	}
	return nil
}

// normalize maps the numeric types a caller's item may hold (json.Number
// from a UseNumber decoder, Go ints from hand-built maps) to float64.
func normalize(v any) any {
	switch n := v.(type) {
	case json.Number:
		if f, err := n.Float64(); err == nil {
			return f
		}
		return n.String()
	case int:
		return float64(n)
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case float32:
		return float64(n)
	}
	return v
}

// edmType names a runtime value's type the way OData error messages do.
func edmType(v any) string {
	switch v.(type) {
	case string:
		return "Edm.String"
	case float64:
		return "Edm.Double"
	case bool:
		return "Edm.Boolean"
	case guidValue:
		return "Edm.Guid"
	case dateValue:
		return "Edm.Date"
	case time.Time:
		return "Edm.DateTimeOffset"
	case []any:
		return "Collection"
	case map[string]any:
		return "Edm.ComplexType"
	}
	return fmt.Sprintf("%T", v)
}

var opKindNames = map[string]string{
	"eq": "Equal", "ne": "NotEqual", "gt": "GreaterThan",
	"ge": "GreaterThanOrEqual", "lt": "LessThan", "le": "LessThanOrEqual",
}

// incompatible is OData's message for comparing values of unrelated types.
func incompatible(op string, a, b any) error {
	return badRequest("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.",
		edmType(a), edmType(b), opKindNames[op])
}

// compareValues orders two non-nil runtime values. Strings compare without
// regard to case, as Entra ID and Exchange do; a string meets a date or
// date-time literal as a time. ok is false when the types do not compare.
func compareValues(a, b any) (cmp int, ok bool) {
	switch x := a.(type) {
	case string:
		switch y := b.(type) {
		case string:
			return compareFold(x, y), true
		case guidValue:
			return compareFold(x, string(y)), true
		case time.Time, dateValue:
			t, ok := parseTime(x)
			if !ok {
				return 0, false
			}
			return compareTimes(t, asTime(y)), true
		}
	case guidValue:
		switch y := b.(type) {
		case string, guidValue:
			return compareFold(string(x), fmt.Sprint(y)), true
		}
	case float64:
		if y, ok := b.(float64); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			}
			return 0, true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			}
			return 1, true
		}
	case time.Time, dateValue:
		switch y := b.(type) {
		case time.Time, dateValue:
			return compareTimes(asTime(x), asTime(y)), true
		case string:
			c, ok := compareValues(y, x)
			return -c, ok
		}
	}
	return 0, false
}

func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case dateValue:
		return time.Time(t)
	}
	return time.Time{}
}

func compareTimes(a, b time.Time) int {
	return a.Compare(b)
}

// compareFold compares strings under simple Unicode case folding.
func compareFold(a, b string) int {
	if strings.EqualFold(a, b) {
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}
