// Package reports computes the figures of a Caf's claimant service for any
// period, as the annual report publishes them (complaints handled and the
// share answered in time, mediation files by origin, reason, benefit and
// outcome, Défenseur des droits referrals, the national commitments), and
// renders them as JSON, CSV and a printable PDF.
//
// The measures and what each file and notice contributes to them are
// internal/figures'; this package asks the store for their sums (Source:
// the store's rollup of the files, kept with every file's row by the
// store and the history import, live files and imported history alike,
// and the overpayment notices) and turns them into the published figures.
package reports

// Summary is the figures of one period for one Caf, or for several (then
// PerCaf holds each Caf's). Every *Pct is a percent with one decimal,
// rounded half away from zero, nil when its denominator is zero.
type Summary struct {
	Caf         string           `json:"caf,omitempty"`
	Cafs        []string         `json:"cafs"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Previous    Period           `json:"previous"`
	Complaints  ComplaintFigures `json:"complaints"`
	Mediations  MediationFigures `json:"mediations"`
	Referrals   ReferralFigures  `json:"referrals"`
	Commitments []Commitment     `json:"commitments"`
	// Overpayments: the large overpayment notices of the period.
	Overpayments OverpaymentFigures  `json:"overpayments"`
	PerCaf       map[string]*Summary `json:"per_caf,omitempty"`
}

// Period is a span of days, both ends included (YYYY-MM-DD).
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ComplaintFigures: a complaint is handled in the period when its answer
// date falls in it; its elapsed days are the calendar days from receipt to
// answer minus its paused days; the raw shares do not remove them.
type ComplaintFigures struct {
	Received           int64    `json:"received"`
	Handled            int64    `json:"handled"`
	HandledChangePct   *float64 `json:"handled_change_pct"`
	ReceivedChangePct  *float64 `json:"received_change_pct"`
	Within10DaysPct    *float64 `json:"within_10_days_pct"`
	Within15DaysPct    *float64 `json:"within_15_days_pct"`
	Within10DaysRawPct *float64 `json:"within_10_days_raw_pct"`
	Within15DaysRawPct *float64 `json:"within_15_days_raw_pct"`
	MedianDays         *float64 `json:"median_days"`
	P90Days            *float64 `json:"p90_days"`
	OpenAtEnd          int64    `json:"open_at_end"`
	OverdueAtEnd       int64    `json:"overdue_at_end"`
	ImplicitRejections int64    `json:"implicit_rejections"`
	// Reopened counts the complaints reopened in the period (their first
	// reopening); their first answer stays in Handled.
	Reopened           int64            `json:"reopened"`
	ByChannel          map[string]int64 `json:"by_channel"`
	ByBenefit          map[string]int64 `json:"by_benefit"`
	ByReason           map[string]int64 `json:"by_reason"`
	AcknowledgedIn5Pct *float64         `json:"acknowledged_within_5_days_pct"`
	AcknowledgmentsDue int64            `json:"acknowledgments_due"`
}

// MediationFigures: a mediation file counts in the period when it was
// received in it; shares by origin, reason and benefit are over the files
// counted, the share of each outcome over the counted files with one.
type MediationFigures struct {
	Count          int64               `json:"count"`
	CountChangePct *float64            `json:"count_change_pct"`
	OriginPct      map[string]*float64 `json:"origin_pct"`
	ReasonPct      map[string]*float64 `json:"reason_pct"`
	BenefitPct     map[string]*float64 `json:"benefit_pct"`
	OutcomePct     map[string]*float64 `json:"outcome_pct"`
	Decided        int64               `json:"decided"`
}

// ReferralFigures: the Défenseur des droits referrals received in the
// period, and the share of those decided that were decided by the date it
// expected.
type ReferralFigures struct {
	Count                     int64    `json:"count"`
	CountChangePct            *float64 `json:"count_change_pct"`
	AnsweredByExpectedDatePct *float64 `json:"answered_by_expected_date_pct"`
}

// Commitment is a national service-quality commitment and whether the
// period met it (nil when nothing was measured).
type Commitment struct {
	Name   string   `json:"name"`
	Label  string   `json:"label"`
	Target float64  `json:"target"`
	Value  *float64 `json:"value"`
	Met    *bool    `json:"met"`
}
