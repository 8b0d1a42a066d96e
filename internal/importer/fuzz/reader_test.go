package fuzz_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"recours/internal/domain"
	"recours/internal/figures"
	"recours/internal/importer"
	"recours/internal/store"
)

var (
	org = store.Organisation{Code: "071", TargetDays: 10, LegalDays: 15, ImplicitRejectionMonths: 2,
		MediationTargetDays: 30, MediationLegalDays: 60}
	now = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
)

const header = "reference,kind,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\n"

// FuzzReader reads any file as the import does, without a database: the
// reader never panics; it refuses the file with an EINVALID error naming
// a line, or reports each bad row by its line, in order; and every row it
// accepts, written back as CSV, reads again as the same row.
func FuzzReader(f *testing.F) {
	for _, seed := range []string{
		"",
		header,
		header + "R-1,complaint,071,phone,housing_aid,overpayment_not_understood,,2025-01-06,2025-01-18,2025-01-20,,3\n",
		header + "M-1,mediation,071,,housing_aid,decision_not_understood,defenseur_des_droits,2025-04-01,2025-04-25,2025-04-28,maintained,\n",
		header + "\"M-2\",mediation,071, , rsa ,\"overpayment_not_understood\",claimant,2025-05-02,2025-05-30,,partly_revised,\n",
		header + "R-3,complaint,071,letter,ppa,documents,,2025-03-01,,2025-05-10,,0\r\n\r\n",
		header + `Jean "Le" Dupont,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n",
		header + `"R-4,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,` + "\n",
		header + "\"R-5\nR-6\"x,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n",
		header + "R-7,complaint,071\n",
		header + "R-8,complaint,071,phone,rsa,docu\xe9ments,,2025-01-06,2025-01-08,,,\n",
		header + "R-9,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,99999999999999999999\n",
		header + "R-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\nR-1,complaint,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n",
		"\ufeffkind,reference,caf,channel,benefit,reason,origin,received_at,answered_at,closed_at,outcome,paused_days\ncomplaint,H-2,071,phone,rsa,documents,,2025-01-06,2025-01-08,,,\n",
		"reference,kind\n\"a\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, rep, err := readAll(t, data)
		if err != nil {
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.EINVALID || len(de.Fields) == 0 ||
				!strings.HasPrefix(de.Fields[0].Field, "ligne ") {
				t.Fatalf("the file is refused by an EINVALID error naming a line, not %#v", err)
			}
			return
		}
		if rep.Read != len(rows)+rep.Invalid || len(rep.Errors) != min(rep.Invalid, importer.MaxErrors) {
			t.Fatalf("%d rows read, %d valid, %d invalid, %d reported", rep.Read, len(rows), rep.Invalid, len(rep.Errors))
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		last := 1
		for _, e := range rep.Errors {
			if e.Line <= last || e.Line > lines || e.Reason == "" || !utf8.ValidString(e.Reason) {
				t.Fatalf("bad row reported at line %d after line %d (%d lines): %q", e.Line, last, lines, e.Reason)
			}
			last = e.Line
		}
		if len(rows) == 0 {
			return
		}
		// The rows accepted read again as themselves.
		again, rep2, err := readAll(t, writeBack(t, rows))
		if err != nil || rep2.Invalid > 0 || len(again) != len(rows) {
			t.Fatalf("rows written back: %v, %v", err, rep2.Errors)
		}
		for i := range rows {
			rows[i].ID, again[i].ID = "", ""
			if !equalRows(rows[i], again[i]) {
				t.Fatalf("row %d read back as\n%+v, not\n%+v", i, again[i], rows[i])
			}
		}
	})
}

// readAll reads data as the import does, counting each row's figures as
// the writer would.
func readAll(t *testing.T, data []byte) ([]store.HistoryRow, importer.Report, error) {
	var rows []store.HistoryRow
	rep, err := importer.Read(bytes.NewReader(data), org, now, func(row store.HistoryRow) {
		if bad := checkRow(row); bad != "" {
			t.Fatalf("row accepted with a bad %s: %+v", bad, row)
		}
		figures.Changes{}.Add(row.File(), 1)
		rows = append(rows, row)
	})
	return rows, rep, err
}

// checkRow names what the reader should not have accepted in a row.
func checkRow(r store.HistoryRow) string {
	switch {
	case r.Reference == "" || utf8.RuneCountInString(r.Reference) > importer.MaxReference:
		return "reference"
	case r.Kind != string(domain.KindComplaint) && r.Kind != string(domain.KindMediation):
		return "kind"
	case r.Caf != org.Code || !domain.Benefit(r.Benefit).Valid() || !domain.Reason(r.Reason).Valid():
		return "caf, benefit or reason"
	case r.ReceivedAt.After(now) || r.ReceivedAt.Year() < 1990:
		return "received_at"
	case r.AnsweredAt == nil && r.DecidedAt == nil && r.ClosedAt == nil:
		return "answered_at or closed_at"
	case r.Status == "" || r.SLAStatus == "" || r.TargetDue == nil || r.LegalDue == nil:
		return "status or deadline"
	}
	return ""
}

// writeBack writes rows as a file to import.
func writeBack(t *testing.T, rows []store.HistoryRow) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	w := csv.NewWriter(&b)
	day := func(d *time.Time) string {
		if d == nil {
			return ""
		}
		return d.Format(time.DateOnly)
	}
	for _, r := range rows {
		answered := r.AnsweredAt
		if r.DecidedAt != nil {
			answered = r.DecidedAt
		}
		if err := w.Write([]string{r.Reference, r.Kind, r.Caf, r.Channel, r.Benefit, r.Reason, r.Origin,
			day(&r.ReceivedAt), day(answered), day(r.ClosedAt), r.Outcome, strconv.FormatInt(r.PausedSeconds/86400, 10)}); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.Bytes()
}

func equalRows(a, b store.HistoryRow) bool {
	day := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	n := func(x, y *int) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Reference == b.Reference && a.Kind == b.Kind && a.Caf == b.Caf && a.Status == b.Status &&
		a.SLAStatus == b.SLAStatus && a.Channel == b.Channel && a.Benefit == b.Benefit && a.Reason == b.Reason &&
		a.Origin == b.Origin && a.Outcome == b.Outcome && a.ReceivedAt.Equal(b.ReceivedAt) &&
		day(a.TargetDue, b.TargetDue) && day(a.LegalDue, b.LegalDue) && day(a.AnsweredAt, b.AnsweredAt) &&
		day(a.DecidedAt, b.DecidedAt) && day(a.ClosedAt, b.ClosedAt) &&
		day(a.ImplicitRejectionAt, b.ImplicitRejectionAt) && n(a.ElapsedDays, b.ElapsedDays) &&
		n(a.ElapsedDaysRaw, b.ElapsedDaysRaw) && a.PausedSeconds == b.PausedSeconds
}
