package reports

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strconv"
)

// CSVHeader is the header of the long table WriteCSV writes.
var CSVHeader = []string{"caf", "section", "figure", "key", "value"}

// WriteCSV writes the summary as one long table, one figure a row:
// caf (the Caf, or "all" for the totals over several), section
// (period, complaints, mediations, referrals, commitments), figure (its
// JSON name), key (the vocabulary word of a by_* or *_pct map, or the
// field of a commitment; empty otherwise) and value (empty for null).
// The totals come first, then each Caf in order.
func (s *Summary) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	s.writeRows(cw)
	for _, caf := range slices.Sorted(maps.Keys(s.PerCaf)) {
		s.PerCaf[caf].writeRows(cw)
	}
	cw.Flush()
	return cw.Error()
}

func (s *Summary) writeRows(cw *csv.Writer) {
	caf := s.Caf
	if caf == "" {
		caf = "all"
	}
	row := func(section, figure, key, value string) { _ = cw.Write([]string{caf, section, figure, key, value}) }
	row("period", "from", "", s.From)
	row("period", "to", "", s.To)
	row("period", "previous_from", "", s.Previous.From)
	row("period", "previous_to", "", s.Previous.To)

	c := s.Complaints
	for _, f := range []struct {
		name  string
		value string
	}{
		{"received", itoa(c.Received)}, {"received_change_pct", num(c.ReceivedChangePct)},
		{"handled", itoa(c.Handled)}, {"handled_change_pct", num(c.HandledChangePct)},
		{"within_10_days_pct", num(c.Within10DaysPct)}, {"within_15_days_pct", num(c.Within15DaysPct)},
		{"within_10_days_raw_pct", num(c.Within10DaysRawPct)}, {"within_15_days_raw_pct", num(c.Within15DaysRawPct)},
		{"median_days", num(c.MedianDays)}, {"p90_days", num(c.P90Days)},
		{"open_at_end", itoa(c.OpenAtEnd)}, {"overdue_at_end", itoa(c.OverdueAtEnd)},
		{"implicit_rejections", itoa(c.ImplicitRejections)},
		{"reopened", itoa(c.Reopened)},
		{"acknowledged_within_5_days_pct", num(c.AcknowledgedIn5Pct)}, {"acknowledgments_due", itoa(c.AcknowledgmentsDue)},
	} {
		row("complaints", f.name, "", f.value)
	}
	countRows(row, "complaints", "by_channel", c.ByChannel)
	countRows(row, "complaints", "by_benefit", c.ByBenefit)
	countRows(row, "complaints", "by_reason", c.ByReason)

	m := s.Mediations
	row("mediations", "count", "", itoa(m.Count))
	row("mediations", "count_change_pct", "", num(m.CountChangePct))
	row("mediations", "decided", "", itoa(m.Decided))
	pctRows(row, "mediations", "origin_pct", m.OriginPct)
	pctRows(row, "mediations", "reason_pct", m.ReasonPct)
	pctRows(row, "mediations", "benefit_pct", m.BenefitPct)
	pctRows(row, "mediations", "outcome_pct", m.OutcomePct)

	r := s.Referrals
	row("referrals", "count", "", itoa(r.Count))
	row("referrals", "count_change_pct", "", num(r.CountChangePct))
	row("referrals", "answered_by_expected_date_pct", "", num(r.AnsweredByExpectedDatePct))

	o := s.Overpayments
	for _, f := range []struct {
		name  string
		value string
	}{
		{"notices", itoa(o.Notices)}, {"large_notices", itoa(o.LargeNotices)},
		{"explained_pct", num(o.ExplainedPct)}, {"call_attempted_pct", num(o.CallAttemptedPct)},
		{"call_reached_pct", num(o.CallReachedPct)}, {"disputed_within_60_days_pct", num(o.DisputedWithin60DaysPct)},
		{"disputed_when_reached_pct", num(o.DisputedWhenReachedPct)}, {"disputed_when_not_reached_pct", num(o.DisputedWhenNotReachedPct)},
	} {
		row("overpayments", f.name, "", f.value)
	}

	for _, cm := range s.Commitments {
		row("commitments", cm.Name, "label", cm.Label)
		row("commitments", cm.Name, "target", strconv.FormatFloat(cm.Target, 'f', -1, 64))
		row("commitments", cm.Name, "value", num(cm.Value))
		met := ""
		if cm.Met != nil {
			met = strconv.FormatBool(*cm.Met)
		}
		row("commitments", cm.Name, "met", met)
	}
}

func countRows(row func(section, figure, key, value string), section, figure string, m map[string]int64) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		row(section, figure, k, itoa(m[k]))
	}
}

func pctRows(row func(section, figure, key, value string), section, figure string, m map[string]*float64) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		row(section, figure, k, num(m[k]))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// num is a nullable number as the JSON writes it; empty for null.
func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
