package reports

import (
	"time"

	"recours/internal/domain"
	"recours/internal/figures"
)

// ComputeFromFiles computes the figures as Compute did before the rollup:
// straight from the files, each figure by its own rule on instants (Paris
// midnights), not from contributions summed by day. The tests hold the
// rollup to it.
func ComputeFromFiles(files []figures.File, cafs []string, from, to Date) (*Summary, error) {
	return compute(cafs, from, to, func(cafs []string, b bounds, tallies map[string]*tally) error {
		p := instants{figures.DayStart(b.prevStart), figures.DayStart(b.start), figures.DayStart(b.end)}
		for i := range files {
			if t := tallies[files[i].Caf]; t != nil {
				count(&files[i], p, t)
			}
		}
		return nil
	})
}

// instants are the bounds of the periods as instants (Paris midnights).
type instants struct{ prevStart, start, end time.Time }

// in reports whether t is in [from, to).
func in(t *time.Time, from, to time.Time) bool {
	return t != nil && !t.Before(from) && t.Before(to)
}

// count adds what f counts for in the periods p to t.
func count(f *figures.File, p instants, t *tally) {
	switch f.Kind {
	case domain.KindComplaint:
		complaint(f, p, t)
	case domain.KindMediation:
		mediation(f, p, t)
	}
}

func complaint(f *figures.File, p instants, t *tally) {
	// Received in the period, by channel, benefit, reason and
	// acknowledgment; in the previous period, counted.
	if in(&f.ReceivedAt, p.start, p.end) {
		t.received++
		t.byChannel[f.Channel]++
		t.byBenefit[f.Benefit]++
		t.byReason[f.Reason]++
		// Only a written complaint owes an acknowledgment (one made by
		// phone, at the desk or at an appointment is acknowledged as it is
		// made).
		if written := f.Channel == "online" || f.Channel == "email" || f.Channel == "letter"; written {
			switch domain.SLAStatus(f.AckStatus) {
			case domain.SLAMet:
				t.ackMet++
			case domain.SLAMissed:
				t.ackMissed++
			}
		}
	}
	if in(&f.ReceivedAt, p.prevStart, p.start) {
		t.prevReceived++
	}
	// Answered in the period: the histograms of the elapsed days.
	if in(f.AnsweredAt, p.start, p.end) {
		t.handled++
		if f.ElapsedDays != nil {
			t.elapsed[int64(*f.ElapsedDays)]++
		}
		if f.ElapsedDaysRaw != nil {
			t.elapsedRaw[int64(*f.ElapsedDaysRaw)]++
		}
	}
	if in(f.AnsweredAt, p.prevStart, p.start) {
		t.prevHandled++
	}
	// Open at the end: received before it, neither answered nor closed
	// before it (by their dates: the period may be past, and a file's
	// status is today's); overdue when its legal date was before the end.
	if f.ReceivedAt.Before(p.end) && (f.AnsweredAt == nil || !f.AnsweredAt.Before(p.end)) &&
		(f.ClosedAt == nil || !f.ClosedAt.Before(p.end)) {
		t.openAtEnd++
		if f.LegalDue != nil && f.LegalDue.Before(p.end) {
			t.overdueAtEnd++
		}
	}
	if in(f.ImplicitRejectionAt, p.start, p.end) {
		t.implicitRejections++
	}
}

func mediation(f *figures.File, p instants, t *tally) {
	referral := f.Origin == string(domain.OriginDDD)
	if in(&f.ReceivedAt, p.prevStart, p.start) {
		t.prevMediations++
		if referral {
			t.prevReferrals++
		}
	}
	if !in(&f.ReceivedAt, p.start, p.end) {
		return
	}
	t.mediations++
	t.origin[f.Origin]++
	t.medReason[f.Reason]++
	t.medBenefit[f.Benefit]++
	if f.Outcome != "" {
		t.outcome[f.Outcome]++
		t.decided++
	}
	if referral && f.DecidedAt != nil {
		t.referralsDecided++
		if f.LegalDue != nil && !f.DecidedAt.After(*f.LegalDue) {
			t.referralsInTime++
		}
	}
	if referral {
		t.referrals++
	}
}
