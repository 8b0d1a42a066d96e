package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"recours/internal/calendar"
	"recours/internal/domain"
	"recours/internal/store"
)

// Columns is the header row the file must carry: these names, each once,
// in any order.
var Columns = []string{"reference", "kind", "caf", "channel", "benefit", "reason", "origin",
	"received_at", "answered_at", "closed_at", "outcome", "paused_days"}

const (
	colReference = iota
	colKind
	colCaf
	colChannel
	colBenefit
	colReason
	colOrigin
	colReceivedAt
	colAnsweredAt
	colClosedAt
	colOutcome
	colPausedDays
)

// Limits of the report and of a row.
const (
	// MaxErrors is how many bad rows the report lists; Invalid counts
	// them all.
	MaxErrors = 1000
	// MaxReference bounds a reference, in characters.
	MaxReference = 100
	// MaxField bounds a field, in bytes: no column holds more than a
	// reference.
	MaxField = 1 << 10
)

// ErrInvalidRows is returned, with the report of the bad rows, when rows
// were invalid and SkipInvalid was not set: nothing was imported.
var ErrInvalidRows = errors.New("importer: invalid rows, nothing imported")

// Options tune an import.
type Options struct {
	// SkipInvalid imports the valid rows and skips the bad ones (still
	// reported) instead of importing nothing.
	SkipInvalid bool
	// Now is the clock (dates after today are refused); nil means
	// time.Now.
	Now func() time.Time
}

// RowError is a bad row: its line in the file (the header is line 1) and
// why, in French.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Report is what an import did. Read counts the data rows read; Imported
// those written; Unchanged the valid rows whose reference was already
// there; Skipped the bad rows left out under SkipInvalid. Errors lists the
// first MaxErrors bad rows, Invalid counts them all.
type Report struct {
	Read      int        `json:"read"`
	Imported  int        `json:"imported"`
	Unchanged int        `json:"unchanged"`
	Skipped   int        `json:"skipped"`
	Errors    []RowError `json:"errors"`
	Invalid   int        `json:"-"`
}

// Import reads a CSV file of closed files of caf from r and loads it, as
// the package comment says. A header that does not match Columns is an
// EINVALID error naming each column at fault (field "ligne 1"), and
// nothing is imported; rows in error are reported in the Report, with
// ErrInvalidRows unless opts.SkipInvalid. Any other error (reading r, the
// database, ctx) rolls everything back too.
func Import(ctx context.Context, st *store.Store, caf string, r io.Reader, opts Options) (Report, error) {
	rep := Report{Errors: []RowError{}}
	if !domain.ValidCafCode(caf) {
		return rep, &domain.Error{Code: domain.EINVALID, Message: "Caf invalide",
			Fields: []domain.FieldError{{Field: "caf", Message: "numéro de Caf attendu sur 3 chiffres"}}}
	}
	org, err := st.Organisation(ctx, caf)
	if err != nil {
		return rep, err
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	rd, err := newReader(r, org, now.UTC(), opts.SkipInvalid, &rep)
	if err != nil {
		return rep, err
	}
	imported, err := write(ctx, st, rd)
	switch {
	case errors.Is(err, errAbort):
		return rep, ErrInvalidRows
	case err != nil:
		rep.Imported, rep.Unchanged, rep.Skipped = 0, 0, 0
		return rep, err
	}
	rep.Imported = int(imported)
	rep.Unchanged = rd.valid - rep.Imported
	if opts.SkipInvalid {
		rep.Skipped = rep.Invalid
	}
	return rep, nil
}

// errAbort rolls the transaction back when rows were invalid.
var errAbort = errors.New("importer: abort")

// reader reads and validates the file, one row at a time.
type reader struct {
	csv   *csv.Reader
	lines *lines                 // under csv: the line a record begins on, its size bounded
	index [colPausedDays + 1]int // the position of each of Columns in a record
	ncols int
	caf   string
	org   store.Organisation
	today time.Time // midnight UTC of today's date in Paris
	now   time.Time
	skip  bool
	rep   *Report
	seed  maphash.Seed
	seen  map[uint64]struct{} // the hashes of the references read
	valid int
	err   error // what stopped the reading, other than the end of the file
}

func newReader(r io.Reader, org store.Organisation, now time.Time, skip bool, rep *Report) (*reader, error) {
	ln := newLines(r)
	cr := csv.NewReader(ln)
	cr.FieldsPerRecord = -1 // checked here, to report the row and go on
	cr.ReuseRecord = true
	y, m, d := now.In(calendar.Paris).Date()
	rd := &reader{csv: cr, lines: ln, caf: org.Code, org: org, now: now, today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC),
		skip: skip, rep: rep, seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
	header, err := cr.Read()
	ln.mark()
	var pe *csv.ParseError
	var tooLong *errRecordTooLong
	switch {
	case errors.Is(err, io.EOF):
		return nil, headerError("fichier vide : la ligne d'en-tête est attendue (" + strings.Join(Columns, ",") + ")")
	case errors.As(err, &tooLong):
		return nil, recordTooLong(tooLong)
	case errors.As(err, &pe):
		return nil, headerError("en-tête illisible : " + csvReason(pe))
	case err != nil:
		return nil, fmt.Errorf("importer: read: %w", err)
	}
	rd.ncols = len(header)
	for i := range rd.index {
		rd.index[i] = -1
	}
	var problems []string
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a spreadsheet's byte-order mark
		}
		name = strings.TrimSpace(name)
		j := slices.Index(Columns, name)
		switch {
		case j < 0:
			problems = append(problems, fmt.Sprintf("colonne inconnue : %s (colonnes attendues : %s)", quote(name), strings.Join(Columns, ",")))
		case rd.index[j] >= 0:
			problems = append(problems, "colonne en double : "+name)
		default:
			rd.index[j] = i
		}
	}
	for j, name := range Columns {
		if rd.index[j] < 0 {
			problems = append(problems, "colonne manquante : "+name)
		}
	}
	if len(problems) > 0 {
		return nil, headerError(problems...)
	}
	return rd, nil
}

func headerError(problems ...string) error {
	e := &domain.Error{Code: domain.EINVALID, Message: "en-tête du fichier invalide : rien n'a été importé"}
	for _, p := range problems {
		e.Fields = append(e.Fields, domain.FieldError{Field: "ligne 1", Message: p})
	}
	return e
}

// aborting tells that nothing will be imported: a row was invalid and
// invalid rows are not skipped. The rows are still all validated, for the
// report, but no longer written.
func (rd *reader) aborting() bool { return !rd.skip && rd.rep.Invalid > 0 }

// next returns the next valid row, to be written unless aborting; false at
// the end of the file, or when reading failed (rd.err).
func (rd *reader) next() (store.HistoryRow, bool) {
	for {
		rec, err := rd.csv.Read()
		rd.lines.mark()
		var pe *csv.ParseError
		var tooLong *errRecordTooLong
		switch {
		case errors.Is(err, io.EOF):
			return store.HistoryRow{}, false
		case errors.As(err, &tooLong):
			rd.err = recordTooLong(tooLong)
			return store.HistoryRow{}, false
		case errors.As(err, &pe):
			// The record is not read: the reader has no field of it
			// (FieldPos would panic), only the line it begins on.
			rd.rep.Read++
			rd.reject(pe.StartLine, []string{csvReason(pe)})
			continue
		case err != nil:
			rd.err = err
			return store.HistoryRow{}, false
		}
		line, _ := rd.csv.FieldPos(0) // a record read has a field at least
		rd.rep.Read++
		row, problems := rd.validate(rec, line)
		if len(problems) > 0 {
			rd.reject(line, problems)
			continue
		}
		rd.valid++
		return row, true
	}
}

func (rd *reader) reject(line int, problems []string) {
	rd.rep.Invalid++
	if len(rd.rep.Errors) < MaxErrors {
		rd.rep.Errors = append(rd.rep.Errors, RowError{Line: line, Reason: strings.Join(problems, " ; ")})
	}
}

const day = 24 * time.Hour

// validate checks one record and builds its row.
func (rd *reader) validate(rec []string, line int) (store.HistoryRow, []string) {
	var p []string
	if len(rec) != rd.ncols {
		return store.HistoryRow{}, []string{fmt.Sprintf("%d colonnes attendues, %d trouvées", rd.ncols, len(rec))}
	}
	// Text the rules below can read and quote: the row is refused on
	// these alone.
	for col, name := range Columns {
		switch v := rec[rd.index[col]]; {
		case !utf8.ValidString(v):
			p = append(p, name+" : texte UTF-8 attendu (enregistrez le fichier en UTF-8)")
		case len(v) > MaxField:
			p = append(p, fmt.Sprintf("%s : trop long (%d octets au plus)", name, MaxField))
		}
	}
	if len(p) > 0 {
		return store.HistoryRow{}, p
	}
	f := func(col int) string { return strings.TrimSpace(rec[rd.index[col]]) }
	var row store.HistoryRow

	ref := f(colReference)
	switch {
	case ref == "":
		p = append(p, "reference : obligatoire")
	case utf8.RuneCountInString(ref) > MaxReference:
		p = append(p, fmt.Sprintf("reference : trop longue (%d caractères au plus)", MaxReference))
	case strings.ContainsFunc(ref, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		p = append(p, "reference : caractère de contrôle non permis")
	default:
		h := maphash.String(rd.seed, ref)
		if _, dup := rd.seen[h]; dup {
			p = append(p, fmt.Sprintf("reference : %s en double (déjà plus haut dans le fichier)", quote(ref)))
		} else {
			rd.seen[h] = struct{}{}
		}
	}
	row.Reference = ref

	kind := domain.Kind(f(colKind))
	mediation := kind == domain.KindMediation
	if kind != domain.KindComplaint && !mediation {
		p = append(p, fmt.Sprintf("kind : %s inconnu (complaint, mediation)", quote(string(kind))))
	}
	row.Kind = string(kind)

	if caf := f(colCaf); caf != rd.caf {
		p = append(p, fmt.Sprintf("caf : %s n'est pas la Caf de l'import (%s)", quote(caf), rd.caf))
	}

	row.Channel = f(colChannel)
	switch {
	case row.Channel == "" && mediation: // a mediation request has no channel
	case row.Channel == "":
		p = append(p, "channel : obligatoire pour une réclamation")
	case !domain.Channel(row.Channel).Valid():
		p = append(p, fmt.Sprintf("channel : %s inconnu (%s)", quote(row.Channel), join(domain.Channels)))
	}
	row.Benefit = f(colBenefit)
	if !domain.Benefit(row.Benefit).Valid() {
		p = append(p, fmt.Sprintf("benefit : %s inconnue (%s)", quote(row.Benefit), join(domain.Benefits)))
	}
	row.Reason = f(colReason)
	if !domain.Reason(row.Reason).Valid() {
		p = append(p, fmt.Sprintf("reason : %s inconnu (%s)", quote(row.Reason), join(domain.Reasons)))
	}
	row.Origin = f(colOrigin)
	switch {
	case row.Origin == "" && mediation:
		p = append(p, "origin : obligatoire pour une médiation")
	case row.Origin != "" && kind == domain.KindComplaint:
		p = append(p, "origin : réservée aux médiations")
	case row.Origin != "" && !domain.Origin(row.Origin).Valid():
		p = append(p, fmt.Sprintf("origin : %s inconnue (%s)", quote(row.Origin), join(domain.Origins)))
	}
	row.Outcome = f(colOutcome)
	switch {
	case row.Outcome != "" && !mediation:
		p = append(p, "outcome : réservée aux médiations")
	case row.Outcome != "" && !slices.Contains(domain.Outcomes, row.Outcome):
		p = append(p, fmt.Sprintf("outcome : %s inconnue (%s)", quote(row.Outcome), strings.Join(domain.Outcomes, ", ")))
	}

	received, okR := rd.date(&p, "received_at", f(colReceivedAt), true)
	answered, okA := rd.date(&p, "answered_at", f(colAnsweredAt), false)
	closed, okC := rd.date(&p, "closed_at", f(colClosedAt), false)
	if okR && okA && answered != nil && answered.Before(*received) {
		p = append(p, "answered_at : antérieure à received_at")
	}
	if okR && okC && closed != nil && closed.Before(*received) {
		p = append(p, "closed_at : antérieure à received_at")
	}
	if okA && okC && answered != nil && closed != nil && closed.Before(*answered) {
		p = append(p, "closed_at : antérieure à answered_at")
	}
	if okA && okC && answered == nil && closed == nil {
		p = append(p, "answered_at ou closed_at : obligatoire (seuls les dossiers terminés s'importent)")
	}
	if row.Outcome != "" && okA && answered == nil {
		p = append(p, "outcome : donnée sans date de décision (answered_at)")
	}

	paused := 0
	if s := f(colPausedDays); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil || n < 0:
			p = append(p, fmt.Sprintf("paused_days : %s n'est pas un nombre entier positif ou nul", quote(s)))
		default:
			paused = n
			end := answered
			if end == nil {
				end = closed
			}
			if okR && okA && okC && end != nil {
				if span := int(end.Sub(*received) / day); n > span {
					p = append(p, fmt.Sprintf("paused_days : %d jours de suspension pour %d jours entre réception et réponse", n, span))
				}
			}
		}
	}
	if len(p) > 0 {
		return store.HistoryRow{}, p
	}
	rd.fill(&row, received, answered, closed, paused)
	return row, nil
}

// date parses a YYYY-MM-DD date, at midnight UTC; an empty optional date
// is nil. ok is false when the value was given and refused.
func (rd *reader) date(p *[]string, name, s string, required bool) (t *time.Time, ok bool) {
	if s == "" {
		if required {
			*p = append(*p, name+" : obligatoire")
			return nil, false
		}
		return nil, true
	}
	d, err := time.Parse(time.DateOnly, s)
	switch {
	case err != nil:
		*p = append(*p, fmt.Sprintf("%s : %s n'est pas une date AAAA-MM-JJ", name, quote(s)))
		return nil, false
	case d.After(rd.today):
		*p = append(*p, fmt.Sprintf("%s : %s est dans le futur", name, s))
		return nil, false
	case d.Year() < 1990:
		*p = append(*p, fmt.Sprintf("%s : %s est trop ancienne (1990 au plus tôt)", name, s))
		return nil, false
	}
	return &d, true
}

// fill computes what the projection holds of a valid row: its status, its
// SLA status against the Caf's legal limit in calendar days, its elapsed
// days, deadlines and the JSON of the file.
func (rd *reader) fill(row *store.HistoryRow, received, answered, closed *time.Time, paused int) {
	row.ID = uuid.Must(uuid.NewV7()).String()
	row.Caf = rd.caf
	row.ReceivedAt = *received
	row.PausedSeconds = int64(paused) * 86400
	mediation := row.Kind == string(domain.KindMediation)
	targetDays, legalDays := rd.org.TargetDays, rd.org.LegalDays
	if mediation {
		targetDays, legalDays = rd.org.MediationTargetDays, rd.org.MediationLegalDays
	}
	target := received.AddDate(0, 0, targetDays+paused)
	legal := received.AddDate(0, 0, legalDays+paused)
	row.TargetDue, row.LegalDue = &target, &legal

	switch {
	case closed != nil:
		row.Status = string(domain.StatusClosed)
	case mediation:
		row.Status = string(domain.StatusDecided)
	default:
		row.Status = string(domain.StatusAnswered)
	}
	// The answer (for a mediation, the decision) ends the clock; a file
	// closed unanswered is measured to its closing.
	end := answered
	if end == nil {
		end = closed
	}
	if end.After(legal) {
		row.SLAStatus = string(domain.SLAMissed)
	} else {
		row.SLAStatus = string(domain.SLAMet)
	}
	row.ClosedAt = closed
	if mediation {
		row.DecidedAt = answered
	} else {
		row.AnsweredAt = answered
		if answered != nil {
			raw := int(answered.Sub(*received) / day)
			adjusted := raw - paused
			row.ElapsedDaysRaw, row.ElapsedDays = &raw, &adjusted
		}
		if rejection := received.AddDate(0, rd.org.ImplicitRejectionMonths, 0); end.After(rejection) {
			row.ImplicitRejectionAt = &rejection
		}
	}
}

func join[T ~string](words []T) string {
	s := make([]string, len(words))
	for i, w := range words {
		s[i] = string(w)
	}
	return strings.Join(s, ", ")
}
