package web

import (
	"fmt"
	"strconv"
	"time"

	"recours/internal/calendar"
)

// The timeline's details come from the database as JSON values: codes,
// RFC 3339 instants, seconds, file ids. uiDetail writes each in the words
// of the page, so an agent never reads `on_time` or `2026-11-22T15:04:05Z`.

var uiFollowUpLabels = map[string]string{
	"explanation_request": "Demande d'explication", "formal_notice": "Mise en demeure", "recommendation": "Recommandations (art. 25)",
}

// uiDetail is the value v of the timeline detail key, in French.
func uiDetail(key string, v any) string {
	s, isString := v.(string)
	switch key {
	case "channel":
		return uiLabel(uiChannelLabels, v)
	case "origin":
		return uiLabel(uiOriginLabels, v)
	case "field":
		return uiLabel(uiFieldLabels, v)
	case "deadline":
		return uiLabel(uiDeadlineLabels, v)
	case "sla_status":
		return uiLabel(uiSLALabels, v)
	case "outcome":
		return uiLabel(uiOutcomeLabels, v)
	case "kind":
		return uiLabel(uiFollowUpLabels, v)
	case "paused_seconds":
		if n, ok := v.(float64); ok {
			return uiDuration(time.Duration(n) * time.Second)
		}
	case "parent_id", "mediation_id", "complaint_id", "prior_contact_case_id", "referral_id", "opinion_id", "into":
		if isString {
			return "n° " + uiShort(s)
		}
	}
	switch v := v.(type) {
	case bool:
		if v {
			return "oui"
		}
		return "non"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.In(calendar.Paris).Format("02/01/2006 à 15:04")
		}
		if _, err := time.Parse(time.DateOnly, v); err == nil {
			return uiDateText(v)
		}
		return v
	case nil:
		return "—"
	}
	return fmt.Sprint(v)
}

// uiDuration is a pause as a reader counts it: minutes under an hour,
// hours under two days, days beyond.
func uiDuration(d time.Duration) string {
	plural := func(n int, word string) string {
		if n > 1 {
			word += "s"
		}
		return strconv.Itoa(n) + " " + word
	}
	switch {
	case d < time.Minute:
		return "moins d'une minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "heure")
	}
	return plural(int(d/(24*time.Hour)), "jour")
}
