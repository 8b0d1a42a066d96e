package importer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"recours/internal/domain"
	"recours/internal/importer"
	"recours/internal/store"
	"recours/internal/testutil"
)

const header = "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n"

var now = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func opts(skip bool) importer.Options {
	return importer.Options{SkipInvalid: skip, Now: func() time.Time { return now }}
}

// each runs f on a fresh, migrated and seeded store of each database.
var each = testutil.EachStore

// count is how many files the store holds.
func count(t *testing.T, st *store.Store) int64 {
	t.Helper()
	counts, err := st.CountCases(context.Background())
	require.NoError(t, err)
	var n int64
	for _, c := range counts {
		n += c.N
	}
	return n
}

// byRef is the row of the file of Caf 071 imported with the reference ref.
func byRef(t *testing.T, st *store.Store, ref string) store.CaseRow {
	t.Helper()
	row, err := st.ImportedRow(context.Background(), "071", ref)
	require.NoError(t, err)
	return row
}

const good = header +
	// closed complaint, 3 of its 12 days paused: 9 days elapsed
	"R-1,complaint,071,phone,housing_aid,overpayment_not_understood,,2025-01-06,2025-01-18,2025-01-20,,3\n" +
	// answered, not closed, late: 20 days
	"R-2,complaint,071,email,rsa,processing_delay,,2025-02-01,2025-02-21,,,\n" +
	// closed unanswered after the two months: implicit rejection
	"R-3,complaint,071,letter,ppa,documents,,2025-03-01,,2025-05-10,,0\n" +
	// decided and closed mediation
	"M-1,mediation,071,,housing_aid,decision_not_understood,defenseur_des_droits,2025-04-01,2025-04-25,2025-04-28,maintained,\n" +
	// decided mediation, quoted fields, spaces
	"\"M-2\",mediation,071, , rsa ,\"overpayment_not_understood\",claimant,2025-05-02,2025-05-30,,partly_revised,\n"

func TestImport_GoodFile(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rep, err := importer.Import(ctx, st, "071", strings.NewReader(good), opts(false))
		require.NoError(t, err)
		assert.Equal(t, importer.Report{Read: 5, Imported: 5, Errors: []importer.RowError{}}, rep)
		assert.EqualValues(t, 5, count(t, st))

		d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
		r1 := byRef(t, st, "R-1")
		assert.True(t, r1.Imported)
		assert.Equal(t, "complaint", r1.Kind)
		assert.Equal(t, "071", r1.Caf)
		assert.Equal(t, "closed", r1.Status)
		assert.Equal(t, "met", r1.SLAStatus)
		assert.Empty(t, r1.AckStatus, "the previous system did not record acknowledgments: imported years are left out of that commitment")
		assert.Equal(t, "phone", r1.Channel)
		assert.Equal(t, "housing_aid", r1.Benefit)
		assert.Equal(t, "overpayment_not_understood", r1.Reason)
		assert.Equal(t, 9, *r1.ElapsedDays)
		assert.Equal(t, 12, *r1.ElapsedDaysRaw)
		assert.EqualValues(t, 3*86400, r1.PausedSeconds)
		assert.True(t, d("2025-01-06").Equal(r1.ReceivedAt))
		assert.True(t, d("2025-01-18").Equal(*r1.AnsweredAt))
		assert.True(t, d("2025-01-20").Equal(*r1.ClosedAt))
		assert.True(t, d("2025-01-19").Equal(*r1.TargetDue), "10 days, plus the 3 paused")
		assert.True(t, d("2025-01-24").Equal(*r1.LegalDue))
		assert.Nil(t, r1.ImplicitRejectionAt)
		assert.EqualValues(t, 1, r1.Version)

		c, err := st.Case(ctx, r1.ID)
		require.NoError(t, err, "the file reads as any other")
		assert.Equal(t, domain.StatusClosed, c.Status)
		assert.Equal(t, domain.Benefit("housing_aid"), c.Benefit)
		assert.Equal(t, 9, *c.ElapsedDaysAdjusted)
		assert.Contains(t, c.Subject, "R-1")
		assert.True(t, r1.Imported)
		assert.Empty(t, r1.Data, "history is read from its columns")

		r2 := byRef(t, st, "R-2")
		assert.Equal(t, "answered", r2.Status)
		assert.Equal(t, "missed", r2.SLAStatus, "20 days: past the 15-day legal limit")
		assert.Equal(t, 20, *r2.ElapsedDays)
		assert.Nil(t, r2.ClosedAt)

		r3 := byRef(t, st, "R-3")
		assert.Equal(t, "closed", r3.Status)
		assert.Nil(t, r3.AnsweredAt)
		assert.Nil(t, r3.ElapsedDays)
		require.NotNil(t, r3.ImplicitRejectionAt)
		assert.True(t, d("2025-05-01").Equal(*r3.ImplicitRejectionAt))
		assert.Equal(t, "missed", r3.SLAStatus)

		m1 := byRef(t, st, "M-1")
		assert.Equal(t, "mediation", m1.Kind)
		assert.Equal(t, "closed", m1.Status)
		assert.Equal(t, "defenseur_des_droits", m1.Origin)
		assert.Equal(t, "maintained", m1.Outcome)
		assert.Equal(t, "", m1.Channel)
		assert.Nil(t, m1.AnsweredAt, "a mediation's answer is its decision")
		assert.True(t, d("2025-04-25").Equal(*m1.DecidedAt))
		assert.Equal(t, "met", m1.SLAStatus)
		assert.True(t, d("2025-05-31").Equal(*m1.LegalDue), "60 days for a mediation")

		m2 := byRef(t, st, "M-2")
		assert.Equal(t, "decided", m2.Status)
		assert.Equal(t, "rsa", m2.Benefit)
		assert.Equal(t, "partly_revised", m2.Outcome)
		mc, err := st.Case(ctx, m2.ID)
		require.NoError(t, err)
		assert.Equal(t, domain.StatusDecided, mc.Status)
		require.NotNil(t, mc.DecidedAt)
		assert.Equal(t, "partly_revised", mc.Outcome)
	})
}

func TestImport_ReRunChangesNothing(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, err := importer.Import(ctx, st, "071", strings.NewReader(good), opts(false))
		require.NoError(t, err)
		before := byRef(t, st, "R-1")
		later := importer.Options{Now: func() time.Time { return now.Add(time.Hour) }}
		rep, err := importer.Import(ctx, st, "071", strings.NewReader(good), later)
		require.NoError(t, err)
		assert.Equal(t, importer.Report{Read: 5, Unchanged: 5, Errors: []importer.RowError{}}, rep)
		assert.EqualValues(t, 5, count(t, st))
		after := byRef(t, st, "R-1")
		assert.Equal(t, before.ID, after.ID)
		assert.Equal(t, before.Data, after.Data)
		assert.True(t, before.UpdatedAt.Equal(after.UpdatedAt))

		// One new row among them: only it is written.
		more := good + "R-4,complaint,071,desk,aah,other,,2025-06-02,2025-06-03,2025-06-03,,\n"
		rep, err = importer.Import(ctx, st, "071", strings.NewReader(more), opts(false))
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Imported)
		assert.Equal(t, 5, rep.Unchanged)
		assert.EqualValues(t, 6, count(t, st))
	})
}

// TestImport_ReferencesArePerCaf: two Cafs' previous systems may have used
// the same references; each Caf's history is imported whole, and each
// re-run is still idempotent.
func TestImport_ReferencesArePerCaf(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		_, err := importer.Import(ctx, st, "071", strings.NewReader(good), opts(false))
		require.NoError(t, err)
		other := strings.ReplaceAll(good, ",071,", ",074,")
		rep, err := importer.Import(ctx, st, "074", strings.NewReader(other), opts(false))
		require.NoError(t, err)
		assert.Equal(t, 5, rep.Imported, "the same references in another Caf are other files")
		assert.EqualValues(t, 10, count(t, st))
		rep, err = importer.Import(ctx, st, "074", strings.NewReader(other), opts(false))
		require.NoError(t, err)
		assert.Equal(t, 5, rep.Unchanged)
		assert.EqualValues(t, 10, count(t, st))
	})
}

// bad has a good row on lines 2, 4 and 8 and a fault on every other line.
const bad = header +
	"B-1,complaint,071,phone,housing_aid,documents,,2025-01-06,2025-01-08,2025-01-09,,\n" + // 2 good
	"B-2,complaint,071,phone,housing_aid,documents,,2025-13-01,,2025-01-09,,\n" + // 3 wrong date
	"B-3,complaint,071,phone,housing_aid,documents,,2025-01-06,2025-01-08,,,\n" + // 4 good
	"B-4,complaint,071,phone,rent,documents,,2025-01-06,2025-01-08,,,\n" + // 5 unknown benefit
	"B-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n" + // 6 duplicate reference
	"B-6,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-02,,,\n" + // 7 answered before received
	"B-7,mediation,071,,rsa,documents,claimant,2025-01-06,2025-02-08,,revised,\n" + // 8 good
	"B-8,complaint,074,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n" + // 9 other Caf
	"B-9,mediation,071,,rsa,documents,,2025-01-06,2025-01-08,,,\n" + // 10 no origin
	"B-10,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,maintained,\n" + // 11 outcome on a complaint
	"B-11,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,5\n" + // 12 paused more than elapsed
	"B-12,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,-1\n" + // 13 negative paused
	"B-13,complaint,071,phone,rsa,documents,,2025-01-06,,,,\n" + // 14 neither answered nor closed
	"B-14,complaint,071,phone,rsa,documents,,2026-04-01,,,,\n" + // 15 in the future
	"B-15,complaint,071,phone,rsa\n" + // 16 too few columns
	"B-16,claim,071,fax,rsa,documents,,2025-01-06,2025-01-08,2025-01-05,,\n" + // 17 several faults
	"B-17,complaint,071,phone,rsa,doc\"uments,,2025-01-06,2025-01-08,,,\n" // 18 bare quote

func TestImport_BadRowsImportNothing(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		rep, err := importer.Import(context.Background(), st, "071", strings.NewReader(bad), opts(false))
		require.ErrorIs(t, err, importer.ErrInvalidRows)
		assert.EqualValues(t, 0, count(t, st), "nothing imported")
		assert.Equal(t, 17, rep.Read)
		assert.Equal(t, 0, rep.Imported)
		assert.Equal(t, 14, rep.Invalid)
		reasons := map[int]string{}
		for _, e := range rep.Errors {
			reasons[e.Line] = e.Reason
		}
		want := map[int]string{
			3:  "received_at : « 2025-13-01 » n'est pas une date AAAA-MM-JJ",
			5:  "benefit : « rent » inconnue",
			6:  "reference : « B-1 » en double",
			7:  "answered_at : antérieure à received_at",
			9:  "caf : « 074 » n'est pas la Caf de l'import (071)",
			10: "origin : obligatoire pour une médiation",
			11: "outcome : réservée aux médiations",
			12: "paused_days : 5 jours de suspension pour 2 jours entre réception et réponse",
			13: "paused_days : « -1 » n'est pas un nombre entier positif ou nul",
			14: "answered_at ou closed_at : obligatoire",
			15: "received_at : 2026-04-01 est dans le futur",
			16: "12 colonnes attendues, 5 trouvées",
			17: "kind : « claim » inconnu",
			18: "guillemet mal placé dans un champ non entre guillemets",
		}
		assert.Len(t, reasons, len(want))
		for line, reason := range want {
			assert.Contains(t, reasons[line], reason, "line %d", line)
		}
		assert.Contains(t, reasons[17], "channel : « fax » inconnu")
		assert.Contains(t, reasons[17], "closed_at : antérieure à received_at")
		assert.Contains(t, reasons[17], "closed_at : antérieure à answered_at")
	})
}

func TestImport_SkipInvalidImportsTheGoodRows(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		rep, err := importer.Import(context.Background(), st, "071", strings.NewReader(bad), opts(true))
		require.NoError(t, err)
		assert.Equal(t, 17, rep.Read)
		assert.Equal(t, 3, rep.Imported)
		assert.Equal(t, 14, rep.Skipped)
		assert.Len(t, rep.Errors, 14)
		assert.EqualValues(t, 3, count(t, st))
		for _, ref := range []string{"B-1", "B-3", "B-7"} {
			byRef(t, st, ref)
		}
		assert.Equal(t, "housing_aid", byRef(t, st, "B-1").Benefit, "the first B-1, not its duplicate")
	})
}

func TestImport_HeaderMustMatch(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		row := "H-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,\n"
		missing := strings.Replace(header, ",paused_days", "", 1)
		_, err := importer.Import(ctx, st, "071", strings.NewReader(missing+row), opts(true))
		var de *domain.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, domain.EINVALID, de.Code)
		assert.Equal(t, []domain.FieldError{{Field: "ligne 1", Message: "colonne manquante : paused_days"}}, de.Fields)

		renamed := strings.Replace(header, "benefit", "prestation", 1)
		_, err = importer.Import(ctx, st, "071", strings.NewReader(renamed+row+"0\n"), opts(true))
		require.ErrorAs(t, err, &de)
		require.Len(t, de.Fields, 2)
		assert.Contains(t, de.Fields[0].Message, "colonne inconnue : « prestation »")
		assert.Equal(t, "colonne manquante : benefit", de.Fields[1].Message)

		extra := strings.Replace(header, "\n", ",note\n", 1)
		_, err = importer.Import(ctx, st, "071", strings.NewReader(extra), opts(true))
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.Fields[0].Message, "colonne inconnue : « note »")

		_, err = importer.Import(ctx, st, "071", strings.NewReader(""), opts(true))
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.Fields[0].Message, "fichier vide")
		assert.EqualValues(t, 0, count(t, st), "nothing imported")

		// Another order, a spreadsheet's byte-order mark: accepted.
		reordered := "\ufeffkind,reference,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n" +
			"complaint,H-2,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n"
		rep, err := importer.Import(ctx, st, "071", strings.NewReader(reordered), opts(false))
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Imported)

		_, err = importer.Import(ctx, st, "999", strings.NewReader(good), opts(false))
		assert.Equal(t, domain.ENOTFOUND, domain.ErrorCode(err), "unknown Caf")
	})
}

func TestImport_ErrorListIsCapped(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		var b strings.Builder
		b.WriteString(header)
		for i := range importer.MaxErrors + 500 {
			fmt.Fprintf(&b, "X-%d,complaint,071,phone,rent,documents,,2025-01-06,2025-01-08,,,\n", i)
		}
		rep, err := importer.Import(context.Background(), st, "071", strings.NewReader(b.String()), opts(false))
		require.ErrorIs(t, err, importer.ErrInvalidRows)
		assert.Len(t, rep.Errors, importer.MaxErrors)
		assert.Equal(t, importer.MaxErrors+500, rep.Invalid)
	})
}

func TestImport_ReadErrorRollsBack(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		boom := errors.New("connexion coupée")
		r := io.MultiReader(strings.NewReader(good), &failing{err: boom})
		_, err := importer.Import(context.Background(), st, "071", r, opts(true))
		require.ErrorIs(t, err, boom)
		assert.EqualValues(t, 0, count(t, st))
	})
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

// generate writes a header and n valid rows to w, then closes it.
func generate(w *io.PipeWriter, n int) {
	bw := make([]byte, 0, 64<<10)
	bw = append(bw, header...)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		rec := base.AddDate(0, 0, i%300)
		ans := rec.AddDate(0, 0, i%17)
		kind, origin, outcome, channel := "complaint", "", "", "online"
		if i%50 == 0 {
			kind, origin, outcome, channel = "mediation", "claimant", "maintained", ""
		}
		bw = fmt.Appendf(bw, "S-%08d,%s,071,%s,housing_aid,documents,%s,%s,%s,%s,%s,%d\n", i, kind, channel, origin,
			rec.Format(time.DateOnly), ans.Format(time.DateOnly), ans.Format(time.DateOnly), outcome, min(i%3, i%17))
		if len(bw) > 60<<10 {
			if _, err := w.Write(bw); err != nil {
				return
			}
			bw = bw[:0]
		}
	}
	_, _ = w.Write(bw)
	_ = w.Close()
}

// TestImport_StreamsInBoundedMemory imports 50,000 rows generated on the
// fly (no file, no copy in memory) and checks that the heap stays small.
func TestImport_StreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 rows")
	}
	const n = 50_000
	each(t, func(t *testing.T, st *store.Store) {
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		pr, pw := io.Pipe()
		go generate(pw, n)
		start := time.Now()
		rep, err := importer.Import(context.Background(), st, "071", pr, opts(false))
		elapsed := time.Since(start)
		close(stop)
		<-done
		require.NoError(t, err, "%v", rep.Errors)
		assert.Equal(t, n, rep.Imported)
		assert.EqualValues(t, n, count(t, st))
		t.Logf("%d rows in %v (%.0f rows/s), peak heap in use %.1f MiB", n, elapsed.Round(time.Millisecond),
			float64(n)/elapsed.Seconds(), float64(peak.Load())/(1<<20))
		assert.Less(t, peak.Load(), uint64(100<<20), "heap in use stays bounded")
	})
}
