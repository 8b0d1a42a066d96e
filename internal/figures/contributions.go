package figures

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"time"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// File is what the figures read of a file's state: the fields they depend
// on, as the store's columns hold them (FileOf reads them off a
// domain.Case).
type File struct {
	Kind    domain.Kind
	Caf     string
	Channel string
	Benefit string
	Reason  string
	Origin  string
	Outcome string
	// AckStatus is the status of the acknowledgment deadline (met,
	// missed, on_time while pending); "" when the file has none.
	AckStatus  string
	ReceivedAt time.Time
	// LegalDue is the end of the legal deadline: the answer's for a
	// complaint, the decision's for a mediation file (for a referral, the
	// date the Défenseur des droits expects).
	LegalDue            *time.Time
	AnsweredAt          *time.Time
	DecidedAt           *time.Time
	ClosedAt            *time.Time
	ImplicitRejectionAt *time.Time
	// ElapsedDays are the days from receipt to answer, paused days
	// removed; ElapsedDaysRaw the calendar days. Both nil until answered.
	ElapsedDays    *int
	ElapsedDaysRaw *int
	// ReopenedAt is the file's first reopening, if any.
	ReopenedAt *time.Time
	// Merged is a duplicate merged into the file it repeated: it counts in
	// no figure.
	Merged bool
}

// FileOf is what the figures read of c.
func FileOf(c domain.Case) File {
	// A reopened file's figures keep its first answer.
	answered, elapsed, raw := c.CountedAnswer()
	f := File{Kind: c.Kind, Caf: c.Caf, Channel: string(c.Channel), Benefit: string(c.Benefit),
		Reason: string(c.Reason), Origin: c.Origin, Outcome: c.Outcome, ReceivedAt: c.ReceivedAt,
		AnsweredAt: answered, DecidedAt: c.DecidedAt, ClosedAt: c.ClosedAt,
		ImplicitRejectionAt: c.ImplicitRejectionAt, ElapsedDays: elapsed, ElapsedDaysRaw: raw, ReopenedAt: c.ReopenedAt,
		Merged: c.Status == domain.StatusMerged}
	if d, ok := c.Deadline(domain.DeadlineLegal); ok {
		due := d.DueAt
		f.LegalDue = &due
	}
	if c.Kind == domain.KindMediation && c.FirstDecision != nil {
		// A referral studied again after a follow-up: its first decision,
		// against the date in force when it was due.
		f.DecidedAt, f.LegalDue = c.CountedDecision()
	}
	if d, ok := c.Deadline(domain.DeadlineAcknowledgment); ok {
		f.AckStatus = string(d.Status)
	}
	return f
}

// Key is what a contribution counts under: a Caf, a measure, a Paris
// calendar day (DayOf), and the value for a measure broken down by value
// ("" otherwise).
type Key struct {
	Caf     string
	Measure Measure
	Day     int32
	Value   string
}

// Changes are contributions summed by key: those of the states written,
// minus those of the states they replace. A sum may be zero.
type Changes map[Key]int64

// Contribution is one count under a key.
type Contribution struct {
	Key
	N int64
}

// Contributions are what f contributes, summed by key, zeros left out.
func Contributions(f File) Changes {
	c := Changes{}
	c.Add(f, 1)
	c.dropZeros()
	return c
}

// Add adds sign times the contributions of f: 1 for a state written, −1
// for the state it replaces.
//
// A complaint contributes on the day it was received (Received, and by
// channel, benefit, reason and acknowledgment), on the day it was answered
// (Handled, and its elapsed days, paused days removed and raw), on the day
// of its implicit rejection, and to the flows Open and Overdue. A
// mediation file contributes on the day it was received (Mediation, by
// origin, reason and benefit, and by outcome once decided); a referral of
// the Défenseur des droits also to Referral, and once decided to
// ReferralDecided, and to ReferralInTime when decided on or before its
// legal date (DOMAIN.md, "Counting days": answered within a deadline and
// met are the same judgement).
func (c Changes) Add(f File, sign int64) {
	if f.Merged {
		return
	}
	add := func(m Measure, day int32, value string) {
		c[Key{f.Caf, m, day, value}] += sign
	}
	stop := func(m Measure, day int32) {
		c[Key{f.Caf, m, day, ""}] -= sign
	}
	received := DayOf(f.ReceivedAt)
	switch f.Kind {
	case domain.KindComplaint:
		add(Received, received, "")
		add(ByChannel, received, f.Channel)
		add(ByBenefit, received, f.Benefit)
		add(ByReason, received, f.Reason)
		if !domain.Channel(f.Channel).AcknowledgedAtRegistration() {
			// A complaint made by phone, at the desk or at an appointment
			// is acknowledged as it is made: no acknowledgment is due.
			add(Acknowledgment, received, f.AckStatus)
		}
		if f.AnsweredAt != nil {
			answered := DayOf(*f.AnsweredAt)
			add(Handled, answered, "")
			if f.ElapsedDays != nil {
				add(Elapsed, answered, strconv.Itoa(*f.ElapsedDays))
			}
			if f.ElapsedDaysRaw != nil {
				add(ElapsedRaw, answered, strconv.Itoa(*f.ElapsedDaysRaw))
			}
		}
		if f.ImplicitRejectionAt != nil {
			add(ImplicitRejection, DayOf(*f.ImplicitRejectionAt), "")
		}
		if f.ReopenedAt != nil {
			add(Reopened, DayOf(*f.ReopenedAt), "")
		}
		// Open when E begins: received before E, and neither answered nor
		// closed before E. A file that stopped before its receipt is never
		// open (its stop is moved to its receipt).
		end := f.AnsweredAt
		if f.ClosedAt != nil && (end == nil || f.ClosedAt.Before(*end)) {
			end = f.ClosedAt
		}
		add(Open, received, "")
		if end != nil {
			stop(Open, max(DayOf(*end), received))
		}
		// Overdue when E begins: open then, and its legal date before E.
		if f.LegalDue != nil {
			from := max(received, DayOf(*f.LegalDue))
			add(Overdue, from, "")
			if end != nil {
				stop(Overdue, max(DayOf(*end), from))
			}
		}
	case domain.KindMediation:
		add(Mediation, received, "")
		add(MediationOrigin, received, f.Origin)
		add(MediationReason, received, f.Reason)
		add(MediationBenefit, received, f.Benefit)
		if f.Outcome != "" {
			add(MediationOutcome, received, f.Outcome)
		}
		if f.Origin == string(domain.OriginDDD) {
			add(Referral, received, "")
			if f.DecidedAt != nil {
				add(ReferralDecided, received, "")
				if f.LegalDue != nil && !f.DecidedAt.After(*f.LegalDue) {
					add(ReferralInTime, received, "")
				}
			}
		}
	}
}

// Notice is what the figures read of an overpayment notice: whether it is
// large (at or above its Caf's threshold), explained, the result of the
// phone attempt, when it was notified and sent, and when each file that
// disputes it (a complaint or a mediation about it) was received.
type Notice struct {
	Caf        string
	Large      bool
	Explained  bool
	CallResult string
	CreatedAt  time.Time
	SentAt     *time.Time
	Disputes   []time.Time
}

// NoticeOf is what the figures read of o, disputed by files received at
// disputes.
func NoticeOf(o domain.Overpayment, disputes []time.Time) Notice {
	n := Notice{Caf: o.Caf, Large: o.Large, Explained: o.Explanation != nil, CreatedAt: o.CreatedAt,
		SentAt: o.SentAt, Disputes: disputes}
	if o.Call != nil {
		n.CallResult = o.Call.Result
	}
	return n
}

// Disputed reports whether a file about n was received within
// DisputeWindowDays of n reaching the claimant: from its notification
// until DisputeWindowDays Paris calendar days after its sending (after its
// notification while it is unsent).
func (n Notice) Disputed() bool {
	from := n.CreatedAt
	if n.SentAt != nil {
		from = *n.SentAt
	}
	until := from.In(calendar.Paris).AddDate(0, 0, DisputeWindowDays)
	for _, at := range n.Disputes {
		if !at.Before(n.CreatedAt) && at.Before(until) {
			return true
		}
	}
	return false
}

// AddNotice adds sign times the contributions of n, all on the day it was
// notified: Notices; for a large one LargeNotices, NoticesExplained when it
// has its enriched explanation, NoticesCallAttempted when the claimant was
// phoned (reached or not reached; no number is no attempt),
// NoticesCallReached, NoticesDisputed and NoticesDisputedReached.
func (c Changes) AddNotice(n Notice, sign int64) {
	day := DayOf(n.CreatedAt)
	add := func(m Measure) { c[Key{n.Caf, m, day, ""}] += sign }
	add(Notices)
	if !n.Large {
		return
	}
	add(LargeNotices)
	if n.Explained {
		add(NoticesExplained)
	}
	reached := n.CallResult == domain.CallReached
	if reached || n.CallResult == domain.CallNotReached {
		add(NoticesCallAttempted)
	}
	if reached {
		add(NoticesCallReached)
	}
	if n.Disputed() {
		add(NoticesDisputed)
		if reached {
			add(NoticesDisputedReached)
		}
	}
}

// NoticeContributions are what n contributes, summed by key.
func NoticeContributions(n Notice) Changes {
	c := Changes{}
	c.AddNotice(n, 1)
	return c
}

func (c Changes) dropZeros() {
	maps.DeleteFunc(c, func(_ Key, n int64) bool { return n == 0 })
}

// Sorted are the changes that are not zero, in the order of their keys
// (Caf, measure, day, value), so that writers that share counts lock them
// in one order.
func (c Changes) Sorted() []Contribution {
	keys := slices.SortedFunc(maps.Keys(c), compareKeys)
	out := make([]Contribution, 0, len(keys))
	for _, k := range keys {
		if n := c[k]; n != 0 {
			out = append(out, Contribution{Key: k, N: n})
		}
	}
	return out
}

func compareKeys(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Caf, b.Caf), cmp.Compare(a.Measure, b.Measure),
		cmp.Compare(a.Day, b.Day), cmp.Compare(a.Value, b.Value))
}

// Merge adds the changes o to c.
func (c Changes) Merge(o Changes) {
	for k, n := range o {
		c[k] += n
	}
}
