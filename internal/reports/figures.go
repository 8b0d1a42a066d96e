package reports

import (
	"maps"
	"slices"

	"recours/internal/domain"
)

// tally is what the queries count for one Caf (or, summed, for several);
// summary turns it into the figures.
type tally struct {
	received, prevReceived int64
	byChannel              map[string]int64
	byBenefit              map[string]int64
	byReason               map[string]int64
	ackMet, ackMissed      int64

	handled, prevHandled int64
	// elapsed and elapsedRaw are histograms of the handled complaints:
	// days (paused days removed, and raw) → number of complaints.
	elapsed, elapsedRaw map[int64]int64

	openAtEnd, overdueAtEnd, implicitRejections int64
	reopened                                    int64

	mediations, prevMediations int64
	origin, medReason          map[string]int64
	medBenefit, outcome        map[string]int64
	decided                    int64 // counted mediation files with an outcome

	referrals, prevReferrals          int64
	referralsDecided, referralsInTime int64
}

func newTally() *tally {
	return &tally{
		byChannel: map[string]int64{}, byBenefit: map[string]int64{}, byReason: map[string]int64{},
		elapsed: map[int64]int64{}, elapsedRaw: map[int64]int64{},
		origin: map[string]int64{}, medReason: map[string]int64{}, medBenefit: map[string]int64{}, outcome: map[string]int64{},
	}
}

// add adds o's counts to t.
func (t *tally) add(o *tally) {
	t.received += o.received
	t.prevReceived += o.prevReceived
	t.ackMet += o.ackMet
	t.ackMissed += o.ackMissed
	t.handled += o.handled
	t.prevHandled += o.prevHandled
	t.openAtEnd += o.openAtEnd
	t.overdueAtEnd += o.overdueAtEnd
	t.implicitRejections += o.implicitRejections
	t.reopened += o.reopened
	t.mediations += o.mediations
	t.prevMediations += o.prevMediations
	t.decided += o.decided
	t.referrals += o.referrals
	t.prevReferrals += o.prevReferrals
	t.referralsDecided += o.referralsDecided
	t.referralsInTime += o.referralsInTime
	for _, m := range [][2]map[string]int64{{t.byChannel, o.byChannel}, {t.byBenefit, o.byBenefit},
		{t.byReason, o.byReason}, {t.origin, o.origin}, {t.medReason, o.medReason},
		{t.medBenefit, o.medBenefit}, {t.outcome, o.outcome}} {
		for k, n := range m[1] {
			m[0][k] += n
		}
	}
	for _, m := range [][2]map[int64]int64{{t.elapsed, o.elapsed}, {t.elapsedRaw, o.elapsedRaw}} {
		for k, n := range m[1] {
			m[0][k] += n
		}
	}
}

// The national commitments of the socle national de la qualité de
// service. Both are stated as maximum delays, with no share of exceptions
// allowed ("apporter, dans un délai maximum de 15 jours, une réponse aux
// réclamations"; "un accusé de traitement dans un délai ≤ 5 j"), so their
// target is 100 %. (The 85 % of the socle is for demands on a benefit,
// not for complaints.)
const (
	CommitmentAnswered15Days     = "complaints_answered_within_15_days"
	CommitmentAcknowledged5Days  = "acknowledged_within_5_days"
	commitmentTargetPct          = 100
	labelAnswered15Days          = "Réponse aux réclamations en 15 jours au plus"
	labelAcknowledged5Days       = "Accusé de réception envoyé en 5 jours au plus"
	answeredWithinTargetDays     = 10
	answeredWithinCommitmentDays = 15
)

func (t *tally) summary() *Summary {
	w10, w15 := atMost(t.elapsed, answeredWithinTargetDays), atMost(t.elapsed, answeredWithinCommitmentDays)
	s := &Summary{
		Complaints: ComplaintFigures{
			Received: t.received, Handled: t.handled,
			HandledChangePct: change(t.handled, t.prevHandled), ReceivedChangePct: change(t.received, t.prevReceived),
			Within10DaysPct: pct(w10, t.handled), Within15DaysPct: pct(w15, t.handled),
			Within10DaysRawPct: pct(atMost(t.elapsedRaw, answeredWithinTargetDays), t.handled),
			Within15DaysRawPct: pct(atMost(t.elapsedRaw, answeredWithinCommitmentDays), t.handled),
			MedianDays:         percentile(t.elapsed, 50),
			P90Days:            percentile(t.elapsed, 90),
			OpenAtEnd:          t.openAtEnd, OverdueAtEnd: t.overdueAtEnd, ImplicitRejections: t.implicitRejections,
			Reopened:           t.reopened,
			ByChannel:          counts(t.byChannel, domain.Channels),
			ByBenefit:          counts(t.byBenefit, domain.Benefits),
			ByReason:           counts(t.byReason, domain.Reasons),
			AcknowledgedIn5Pct: pct(t.ackMet, t.ackMet+t.ackMissed),
			AcknowledgmentsDue: t.ackMet + t.ackMissed,
		},
		Mediations: MediationFigures{
			Count: t.mediations, CountChangePct: change(t.mediations, t.prevMediations),
			OriginPct:  shares(t.origin, domain.Origins, t.mediations),
			ReasonPct:  shares(t.medReason, domain.Reasons, t.mediations),
			BenefitPct: shares(t.medBenefit, domain.Benefits, t.mediations),
			OutcomePct: shares(t.outcome, domain.Outcomes, t.decided),
			Decided:    t.decided,
		},
		Referrals: ReferralFigures{
			Count: t.referrals, CountChangePct: change(t.referrals, t.prevReferrals),
			AnsweredByExpectedDatePct: pct(t.referralsInTime, t.referralsDecided),
		},
	}
	s.Commitments = []Commitment{
		commitment(CommitmentAnswered15Days, labelAnswered15Days, w15, t.handled),
		commitment(CommitmentAcknowledged5Days, labelAcknowledged5Days, t.ackMet, t.ackMet+t.ackMissed),
	}
	return s
}

// commitment is met when n of d files kept it and n/d reaches the target,
// compared exactly (not on the rounded percent).
func commitment(name, label string, n, d int64) Commitment {
	c := Commitment{Name: name, Label: label, Target: commitmentTargetPct, Value: pct(n, d)}
	if d > 0 {
		met := n*100 >= commitmentTargetPct*d
		c.Met = &met
	}
	return c
}

// atMost is the number of complaints of the histogram h answered within
// days.
func atMost(h map[int64]int64, days int64) int64 {
	var n int64
	for d, c := range h {
		if d <= days {
			n += c
		}
	}
	return n
}

// percentile is the p-th percentile of the histogram h by the nearest-rank
// rule: the smallest value v such that at least p % of the observations
// are ≤ v, that is the value of rank ⌈p·n/100⌉ in ascending order (so the
// median of an even number of values is the lower of the two middle
// ones, and always a value that occurred). nil when h is empty.
func percentile(h map[int64]int64, p int64) *float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	rank := (p*n + 99) / 100
	var seen int64
	for _, v := range slices.Sorted(maps.Keys(h)) {
		seen += h[v]
		if seen >= rank {
			f := float64(v)
			return &f
		}
	}
	return nil // unreachable: seen reaches n ≥ rank
}

// counts is m with every word of the vocabulary present (0 when none).
func counts[W ~string](m map[string]int64, vocabulary []W) map[string]int64 {
	out := make(map[string]int64, len(vocabulary))
	for _, w := range vocabulary {
		out[string(w)] = 0
	}
	for k, n := range m {
		if k != "" {
			out[k] += n
		}
	}
	return out
}

// shares is each word's share of total, every word present (nil when
// total is 0).
func shares[W ~string](m map[string]int64, vocabulary []W, total int64) map[string]*float64 {
	out := make(map[string]*float64, len(vocabulary))
	for _, w := range vocabulary {
		out[string(w)] = pct(m[string(w)], total)
	}
	for k, n := range m {
		if _, ok := out[k]; !ok && k != "" {
			out[k] = pct(n, total)
		}
	}
	return out
}

// pct is n/d as a percent with one decimal, rounded half away from zero,
// computed in integers so that 1/8 is exactly 12.5 and 1/16 is 6.3; nil
// when d is 0.
func pct(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	f := float64(divRound(n*1000, d)) / 10
	return &f
}

// change is the change from prev to cur in percent, one decimal, nil
// when prev is 0.
func change(cur, prev int64) *float64 {
	return pct(cur-prev, prev)
}

// divRound is num/den rounded half away from zero (den > 0).
func divRound(num, den int64) int64 {
	q, r := num/den, num%den
	if r < 0 {
		r = -r
	}
	if 2*r >= den {
		if num < 0 {
			q--
		} else {
			q++
		}
	}
	return q
}
