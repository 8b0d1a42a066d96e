package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"recours/internal/domain"
)

// NextReference draws the next reference of a series (one Caf, one kind,
// one year). On PostgreSQL each series is a sequence (case_ref_071_r_2026),
// made the first time it is drawn from: nextval takes no row lock, so
// concurrent registrations never wait on each other, and a number is lost
// only when a registration fails after drawing it. On SQLite, which takes
// one writer at a time anyway, a row of reference_counters per series is
// incremented under the store's write lock. A number an imported file of
// the Caf already holds as its reference is passed over.
func (s *Store) NextReference(ctx context.Context, series domain.ReferenceSeries) (string, error) {
	for range 1000 {
		n, err := s.nextInSeries(ctx, series)
		if err != nil {
			return "", fmt.Errorf("store: reference: %w", err)
		}
		ref := series.Reference(n)
		var taken int64
		if err := s.db.WithContext(ctx).Model(&CaseRow{}).Where("caf = ? AND reference = ?", series.Caf, ref).Count(&taken).Error; err != nil {
			return "", fmt.Errorf("store: reference: %w", err)
		}
		if taken == 0 {
			return ref, nil
		}
	}
	return "", fmt.Errorf("store: reference: series %v has no free number", series)
}

// sequenceName is the PostgreSQL sequence of a series.
func sequenceName(s domain.ReferenceSeries) string {
	return fmt.Sprintf("case_ref_%s_%s_%d", s.Caf, strings.ToLower(s.Letter), s.Year)
}

func (s *Store) nextInSeries(ctx context.Context, series domain.ReferenceSeries) (int64, error) {
	if !domain.ValidCafCode(series.Caf) || len(series.Letter) != 1 {
		return 0, fmt.Errorf("series %v", series)
	}
	db := s.db.WithContext(ctx)
	if s.sqlite {
		defer s.writeLock()()
		var n int64
		err := db.Raw(`INSERT INTO reference_counters (caf, letter, year, last) VALUES (?, ?, ?, 1)
			ON CONFLICT (caf, letter, year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`,
			series.Caf, series.Letter, series.Year).Scan(&n).Error
		return n, err
	}
	name := sequenceName(series)
	var n int64
	err := db.Raw("SELECT nextval(?::regclass)", name).Scan(&n).Error
	if err == nil {
		return n, nil
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P01" { // undefined_table: the series' first number
		return 0, err
	}
	// Two processes may create it at once: one wins, the other's error is
	// that of a name already taken, and its second nextval finds it.
	_ = db.Exec("CREATE SEQUENCE IF NOT EXISTS " + name).Error
	err = db.Raw("SELECT nextval(?::regclass)", name).Scan(&n).Error
	return n, err
}

// CaseByReference returns the file of caf whose reference is ref (a live
// file's, or an imported file's reference in the previous system), or
// ENOTFOUND.
func (s *Store) CaseByReference(ctx context.Context, cafs []string, ref string) (domain.Case, error) {
	if len(cafs) == 0 {
		return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "dossier introuvable")
	}
	var rows []CaseRow
	err := s.db.WithContext(ctx).Where("caf IN ? AND reference = ?", cafs, ref).Limit(2).Find(&rows).Error
	if err != nil {
		return domain.Case{}, fmt.Errorf("store: case by reference: %w", err)
	}
	if len(rows) != 1 { // none, or imported files of two Cafs under one reference
		return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "dossier introuvable")
	}
	return decodeCase(rows[0])
}

// searchKeys fills the columns a search matches from the file.
func searchKeys(row *CaseRow, c domain.Case) {
	row.NameKey = domain.NameKey(c.Claimant.Name)
	row.EmailKey = domain.EmailKey(c.Claimant.Email)
	row.PhoneKey = domain.PhoneKey(c.Claimant.Phone)
	if c.Reference != "" {
		ref := c.Reference
		row.Reference = &ref
		row.RefNumber = domain.ReferenceNumber(ref)
	}
}

// backfillReferences gives every live file registered before references
// its reference, numbered in its series by order of registration, and its
// search keys; then starts each series' counter after the numbers given.
func backfillReferences(tx *gorm.DB, sqlite bool) error {
	type row struct {
		ID, Caf, Kind, Origin string
		Reference             *string
		Data                  string
		CreatedAt             time.Time
	}
	last := map[domain.ReferenceSeries]int64{}
	after := ""
	for {
		var batch []row
		if err := tx.Table("cases").Select("id, caf, kind, origin, reference, data, created_at").Where("NOT imported AND id > ?", after).
			Order("id").Limit(500).Find(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			after = r.ID
			if r.Data == "" {
				continue
			}
			c, err := decodeCase(CaseRow{ID: r.ID, Data: r.Data})
			if err != nil {
				return err
			}
			set := map[string]any{"name_key": domain.NameKey(c.Claimant.Name), "email_key": domain.EmailKey(c.Claimant.Email),
				"phone_key": domain.PhoneKey(c.Claimant.Phone)}
			if (r.Reference == nil || *r.Reference == "") && domain.ValidCafCode(r.Caf) {
				// Ids are time-ordered (UUIDv7): walking them is walking the
				// registrations in order.
				series := domain.SeriesOf(r.Caf, domain.Kind(r.Kind), r.Origin, r.CreatedAt)
				last[series]++
				ref := series.Reference(last[series])
				set["reference"], set["ref_number"] = ref, last[series]
			}
			if err := tx.Table("cases").Where("id = ?", r.ID).Updates(set).Error; err != nil {
				return err
			}
		}
	}
	for series, n := range last {
		if sqlite {
			if err := tx.Exec("INSERT INTO reference_counters (caf, letter, year, last) VALUES (?, ?, ?, ?)",
				series.Caf, series.Letter, series.Year, n).Error; err != nil {
				return err
			}
			continue
		}
		name := sequenceName(series)
		if err := tx.Exec("CREATE SEQUENCE IF NOT EXISTS " + name).Error; err != nil {
			return err
		}
		if err := tx.Exec("SELECT setval(?::regclass, ?)", name, n).Error; err != nil {
			return err
		}
	}
	return nil
}

// A search's matches, best first: what identifies one file, then one
// claimant, then what may name several.
const (
	rankReference = iota
	rankClaimantNumber
	rankDDDReference
	rankContact
	rankReferenceNumber
	rankNameWhole
	rankNamePart
)

// searchTerm is one way a query may match: its condition and rank.
type searchTerm struct {
	sql  string
	vars []any
	rank int
}

// searchTerms reads a query as typed into the ways it may match a file:
// a reference (whole, or the number it ends with), a claimant number
// (spaces ignored), a Défenseur des droits reference, an email, a phone,
// a name (accents, case and the order of words ignored; each word
// anywhere in the name). Each condition repeats its index's predicate
// (name_key <> ” …), so that PostgreSQL sees the partial index applies.
func searchTerms(q string) []searchTerm {
	q = strings.TrimSpace(q)
	if q == "" || len(q) > 200 {
		return nil
	}
	var terms []searchTerm
	add := func(rank int, sql string, vars ...any) { terms = append(terms, searchTerm{sql, vars, rank}) }
	if ref, _, ok := domain.ParseReference(q); ok {
		add(rankReference, "reference = ?", ref)
	}
	add(rankReference, "reference = ?", q) // an imported file's, as the previous system wrote it
	add(rankDDDReference, "ddd_reference <> '' AND ddd_reference = ?", q)
	compact := strings.Join(strings.Fields(q), "")
	if digits := strings.Trim(compact, "0123456789") == ""; digits {
		if domain.ValidClaimantNumber(compact) {
			add(rankClaimantNumber, "claimant_number <> '' AND claimant_number = ?", compact)
		}
		if n, err := strconv.ParseInt(compact, 10, 64); err == nil && n > 0 && len(compact) <= 9 {
			add(rankReferenceNumber, "ref_number > 0 AND ref_number = ?", n)
		}
	}
	if phone := domain.PhoneKey(q); phone != "" && strings.Trim(compact, "+0123456789.-()") == "" {
		add(rankContact, "phone_key <> '' AND phone_key = ?", phone)
	}
	if strings.Contains(q, "@") {
		add(rankContact, "email_key <> '' AND email_key = ?", domain.EmailKey(q))
		return terms
	}
	words := domain.NameWords(q)
	long := false
	for _, w := range words {
		long = long || len([]rune(w)) >= 3
	}
	if long && strings.ContainsFunc(q, unicode.IsLetter) {
		// Every word anywhere in the name: "garn luc" finds Lucie Garnier.
		conds := []string{"name_key <> ''"}
		var vars []any
		for _, w := range words {
			conds = append(conds, "name_key LIKE ?")
			vars = append(vars, "%"+w+"%")
		}
		add(rankNameWhole, "name_key <> '' AND name_key = ?", domain.NameKey(q))
		add(rankNamePart, strings.Join(conds, " AND "), vars...)
	}
	return terms
}

// SearchCases lists the files of f.Cafs that f.Query matches, best match
// first (then newest first), from offset: live files and imported history.
// more says whether a further page has some.
func (s *Store) SearchCases(ctx context.Context, f CaseFilter, offset int) (out []domain.Case, more bool, err error) {
	terms := searchTerms(f.Query)
	if len(f.Cafs) == 0 || len(terms) == 0 {
		return nil, false, nil
	}
	slices.SortStableFunc(terms, func(a, b searchTerm) int { return a.rank - b.rank })
	var where, rank []string
	var whereVars, rankVars []any
	for _, t := range terms {
		where = append(where, "("+t.sql+")")
		whereVars = append(whereVars, t.vars...)
		rank = append(rank, fmt.Sprintf("WHEN %s THEN %d", t.sql, t.rank))
		rankVars = append(rankVars, t.vars...)
	}
	q := s.db.WithContext(ctx).Model(&CaseRow{}).
		Select("cases.*, CASE "+strings.Join(rank, " ")+" ELSE 99 END AS search_rank", rankVars...).
		Where("caf IN ?", f.Cafs).Where(strings.Join(where, " OR "), whereVars...)
	for _, w := range []struct{ col, v string }{{"kind", f.Kind}, {"status", f.Status}, {"assignee", f.Assignee}, {"sla_status", f.SLAStatus}} {
		if w.v != "" {
			q = q.Where(w.col+" = ?", w.v)
		}
	}
	if f.Live {
		q = q.Where("NOT imported")
	}
	var rows []CaseRow
	if err := q.Order("search_rank, id DESC").Offset(offset).Limit(f.Limit + 1).Find(&rows).Error; err != nil {
		return nil, false, fmt.Errorf("store: search: %w", err)
	}
	if len(rows) > f.Limit {
		rows, more = rows[:f.Limit], true
	}
	out, err = decodeCases(rows)
	return out, more, err
}

// StoryFile is one of a claimant's files, as the panel of their story
// shows it: a complaint, a mediation or referral, an overpayment notice,
// or imported history.
type StoryFile struct {
	ID, Reference, Kind, Origin, Caf string
	Status, SLAStatus, Benefit       string
	ReceivedAt                       time.Time
	LegalDue, AnsweredAt, ClosedAt   *time.Time
	Imported                         bool
}

// ClaimantStory lists every file of the claimant number in cafs, newest
// first (at most 100 files and 100 notices).
func (s *Store) ClaimantStory(ctx context.Context, cafs []string, number string) ([]StoryFile, error) {
	if len(cafs) == 0 || !domain.ValidClaimantNumber(number) {
		return nil, nil
	}
	var out []StoryFile
	err := s.db.WithContext(ctx).Model(&CaseRow{}).
		Select("id, COALESCE(reference, '') AS reference, kind, origin, caf, status, sla_status, benefit, received_at, legal_due, answered_at, closed_at, imported").
		Where("claimant_number <> '' AND claimant_number = ? AND caf IN ?", number, cafs).
		Order("id DESC").Limit(100).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: claimant story: %w", err)
	}
	var notices []StoryFile
	err = s.db.WithContext(ctx).Model(&OverpaymentRow{}).
		Select("id, 'overpayment' AS kind, caf, status, benefit, created_at AS received_at").
		Where("claimant_number = ? AND caf IN ?", number, cafs).Order("created_at DESC").Limit(100).Scan(&notices).Error
	if err != nil {
		return nil, fmt.Errorf("store: claimant story: %w", err)
	}
	out = append(out, notices...)
	slices.SortStableFunc(out, func(a, b StoryFile) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	return out, nil
}

// OpenDuplicate returns the newest live file of kind of the claimant in
// caf, about benefit and reason, still open (statuses), if there is one.
func (s *Store) OpenDuplicate(ctx context.Context, caf string, kind domain.Kind, number string, benefit domain.Benefit, reason domain.Reason, statuses []domain.Status) (domain.Case, bool, error) {
	var rows []CaseRow
	err := s.db.WithContext(ctx).Where("claimant_number <> '' AND claimant_number = ? AND caf = ? AND kind = ? AND benefit = ? AND reason = ? AND status IN ? AND NOT imported",
		number, caf, string(kind), string(benefit), string(reason), statuses).Order("id DESC").Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return domain.Case{}, false, err
	}
	c, err := decodeCase(rows[0])
	return c, err == nil, err
}
