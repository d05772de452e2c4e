package graph

// PatternedRecurrence is an event's recurrence: how often the series
// repeats and over which range.
// https://learn.microsoft.com/en-us/graph/api/resources/patternedrecurrence
type PatternedRecurrence struct {
	Pattern RecurrencePattern `json:"pattern"`
	Range   RecurrenceRange   `json:"range"`
}

// RecurrencePattern says how often a series repeats.
// https://learn.microsoft.com/en-us/graph/api/resources/recurrencepattern
type RecurrencePattern struct {
	Type           string   `json:"type"` // daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly, relativeYearly
	Interval       int      `json:"interval"`
	Month          int      `json:"month"`
	DayOfMonth     int      `json:"dayOfMonth"`
	DaysOfWeek     []string `json:"daysOfWeek"`
	FirstDayOfWeek string   `json:"firstDayOfWeek"`
	Index          string   `json:"index"` // first, second, third, fourth, last
}

// RecurrenceRange says when a series starts and ends.
// https://learn.microsoft.com/en-us/graph/api/resources/recurrencerange
type RecurrenceRange struct {
	Type                string `json:"type"` // endDate, noEnd, numbered
	StartDate           string `json:"startDate"`
	EndDate             string `json:"endDate"`
	NumberOfOccurrences int    `json:"numberOfOccurrences"`
	RecurrenceTimeZone  string `json:"recurrenceTimeZone"`
}
