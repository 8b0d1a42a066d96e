package demo

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"recours/internal/importer"
)

// yearSpec is what one year of history holds: its complaints handled (by
// answer date), split by elapsed days, and its mediation files received.
type yearSpec struct {
	year               int
	complaints         int // handled in the year
	within10, within15 int // of which answered within 10, and 11 to 15, days
	mediations         int
	decided            int // mediation files with an outcome; the others closed without one
}

// Proportions of the seed report (Caf de l'Ardèche, 2021), as weights by
// vocabulary word. For mediation files the report gives the shares of the
// Défenseur des droits (21.3 %), of claimants (6.3 %), of overpayments not
// understood (33.8 %), of decisions not understood (28.8 %), of housing aid
// (52.6 %) and RSA (17.5 %), and of decisions maintained (51.3 %); the
// rest is spread plausibly. For complaints it gives only the volume and the
// share answered within 10 days: channels lean to online and phone
// ("71,65 % des informations entrantes l'ont été par voie dématérialisée"),
// housing aid leads the benefits.
var (
	complaintChannels = weights{{"online", 30}, {"phone", 27}, {"email", 18}, {"desk", 12}, {"letter", 8}, {"appointment", 5}}
	complaintBenefits = weights{{"housing_aid", 41}, {"rsa", 17}, {"ppa", 13}, {"family_allowance", 10}, {"paje", 9}, {"aah", 6}, {"other", 4}}
	complaintReasons  = weights{{"overpayment_not_understood", 26}, {"payment_missing_or_late", 18}, {"decision_not_understood", 17},
		{"processing_delay", 13}, {"documents", 10}, {"calculation_error", 9}, {"service_quality", 4}, {"other", 3}}
	mediationOrigins = weights{{"internal", 30}, {"defenseur_des_droits", 18}, {"social_worker", 15}, {"elected_official", 10},
		{"association", 6}, {"claimant", 5}, {"other", 2}}
	mediationReasons = weights{{"overpayment_not_understood", 29}, {"decision_not_understood", 25}, {"payment_missing_or_late", 10},
		{"calculation_error", 9}, {"processing_delay", 6}, {"documents", 4}, {"other", 3}}
	mediationBenefits = weights{{"housing_aid", 45}, {"rsa", 15}, {"ppa", 8}, {"family_allowance", 7}, {"paje", 5}, {"aah", 4}, {"other", 2}}
	// Of 78 decided files, 40 maintained: 51.3 %.
	mediationOutcomes = weights{{"maintained", 40}, {"revised", 20}, {"partly_revised", 18}}
)

// lastYear is the year before the current one as the seed report gives it:
// 8,106 complaints handled, 90.5 % within 10 days (7,336), 86 mediation
// files of which 78 decided.
func lastYear(y int) yearSpec {
	return yearSpec{year: y, complaints: 8106, within10: 7336, within15: 620, mediations: 86, decided: 78}
}

// yearBefore is the year before that, for the changes the report quotes:
// 9.2 % more complaints handled (8,927), 74 mediation files (16.2 % fewer).
func yearBefore(y int) yearSpec {
	return yearSpec{year: y, complaints: 8927, within10: 7918, within15: 800, mediations: 74, decided: 67}
}

type weight struct {
	word string
	n    float64
}

type weights []weight

// deal returns n words in the proportions of w (largest remainders, so
// the counts are exact), shuffled by rng.
func (w weights) deal(n int, rng *rand.Rand) []string {
	total := 0.0
	for _, x := range w {
		total += x.n
	}
	counts := make([]int, len(w))
	rems := make([]float64, len(w))
	given := 0
	for i, x := range w {
		exact := float64(n) * x.n / total
		counts[i] = int(exact)
		rems[i] = exact - float64(counts[i])
		given += counts[i]
	}
	for ; given < n; given++ {
		best := 0
		for i := range rems {
			if rems[i] > rems[best] {
				best = i
			}
		}
		counts[best]++
		rems[best] = -1
	}
	out := make([]string, 0, n)
	for i, x := range w {
		for range counts[i] {
			out = append(out, x.word)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// elapsedDays deals the elapsed days (paused days removed) of the year's
// complaints: within10 of them from 0 to 10 days (most within a week),
// within15 from 11 to 15, the rest from 16 to 45.
func (s yearSpec) elapsedDays(rng *rand.Rand) []int {
	out := make([]int, 0, s.complaints)
	short := []float64{4, 8, 12, 13, 12, 11, 10, 9, 8, 7, 6}
	total := 0.0
	for _, x := range short {
		total += x
	}
	given := 0
	for d, x := range short {
		k := int(float64(s.within10) * x / total)
		if d == len(short)-1 {
			k = s.within10 - given
		}
		for range k {
			out = append(out, d)
		}
		given += k
	}
	for i := range s.within15 {
		out = append(out, 11+i%5)
	}
	for i := range s.complaints - s.within10 - s.within15 {
		out = append(out, 16+(i*7)%30)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// writeHistory writes the year's history file for caf, the same for the
// same year: complaints first, answered on the year's working days in
// order, then mediation files, received from January to October. today
// caps the closing dates, which must not be in the future.
func writeHistory(w io.Writer, caf string, s yearSpec, today time.Time) error {
	rng := rand.New(rand.NewPCG(uint64(s.year), 0x7265636f757273))
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, joinColumns())
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	capped := func(t time.Time) *time.Time {
		if t.After(today) {
			return nil
		}
		return &t
	}

	var workdays []time.Time
	for d := time.Date(s.year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == s.year; d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			workdays = append(workdays, d)
		}
	}
	channels := complaintChannels.deal(s.complaints, rng)
	benefits := complaintBenefits.deal(s.complaints, rng)
	reasons := complaintReasons.deal(s.complaints, rng)
	elapsed := s.elapsedDays(rng)
	for i := range s.complaints {
		answered := workdays[i*len(workdays)/s.complaints]
		paused := 0
		if rng.IntN(100) < 7 { // some waited for the claimant's documents
			paused = 1 + rng.IntN(6)
		}
		received := answered.AddDate(0, 0, -(elapsed[i] + paused))
		closed := capped(answered.AddDate(0, 0, rng.IntN(4)))
		fmt.Fprintf(bw, "DEMO-%d-R%05d,complaint,%s,%s,%s,%s,,%s,%s,%s,,%d\n", s.year, i+1, caf,
			channels[i], benefits[i], reasons[i], date(&received), date(&answered), date(closed), paused)
	}

	origins := mediationOrigins.deal(s.mediations, rng)
	mreasons := mediationReasons.deal(s.mediations, rng)
	mbenefits := mediationBenefits.deal(s.mediations, rng)
	outcomes := mediationOutcomes.deal(s.decided, rng)
	first := time.Date(s.year, 1, 5, 0, 0, 0, 0, time.UTC)
	span := int(time.Date(s.year, 10, 31, 0, 0, 0, 0, time.UTC).Sub(first) / (24 * time.Hour))
	for i := range s.mediations {
		received := first.AddDate(0, 0, i*span/s.mediations)
		var answered, closed *time.Time
		outcome := ""
		if i < s.decided {
			answered = capped(received.AddDate(0, 0, 15+rng.IntN(40)))
			outcome = outcomes[i]
			if answered != nil {
				closed = capped(answered.AddDate(0, 0, 1+rng.IntN(5)))
			}
		} else { // withdrawn, or a court case filed: closed without a decision
			closed = capped(received.AddDate(0, 0, 10+rng.IntN(15)))
		}
		if answered == nil && closed == nil {
			continue // not over yet: no history
		}
		if answered == nil {
			outcome = ""
		}
		fmt.Fprintf(bw, "DEMO-%d-M%03d,mediation,%s,,%s,%s,%s,%s,%s,%s,%s,\n", s.year, i+1, caf,
			mbenefits[i], mreasons[i], origins[i], date(&received), date(answered), date(closed), outcome)
	}
	return bw.Flush()
}

func joinColumns() string {
	s := ""
	for i, c := range importer.Columns {
		if i > 0 {
			s += ","
		}
		s += c
	}
	return s
}
