package userguard

import (
	"math"
	"strconv"
	"time"
)

// fileTimeEpoch is 1601-01-01 in Unix 100-nanosecond ticks: AD stores
// pwdLastSet and lastLogonTimestamp as Windows FILETIME values.
const fileTimeEpoch = 116444736000000000

// parseFileTime converts a FILETIME attribute value. It returns nil for
// "never" (0 or the maximum value) and for unparsable input.
func parseFileTime(s string) *time.Time {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || v == math.MaxInt64 {
		return nil
	}
	t := time.Unix(0, 0).Add(time.Duration(v-fileTimeEpoch) * 100).UTC()
	return &t
}

// parseGeneralizedTime converts whenCreated-style values
// ("20261127075234.0Z").
func parseGeneralizedTime(s string) *time.Time {
	if len(s) < 14 {
		return nil
	}
	t, err := time.Parse("20060102150405", s[:14])
	if err != nil {
		return nil
	}
	t = t.UTC()
	return &t
}

// intervalMinutes converts a negative 100-nanosecond interval (maxPwdAge,
// lockoutDuration) to minutes. The minimum int64 means "forever": -1.
func intervalMinutes(s string) int {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v == 0 {
		return 0
	}
	if v == math.MinInt64 {
		return -1
	}
	if v < 0 {
		v = -v
	}
	return int(time.Duration(v*100) / time.Minute)
}
