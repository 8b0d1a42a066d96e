package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"recours/internal/domain"
)

// rowOf is the projection row of a file.
func rowOf(c domain.Case, version int64, data string) CaseRow {
	row := CaseRow{
		ID: c.ID, Kind: string(c.Kind), Caf: c.Caf, Status: string(c.Status),
		SLAStatus: string(c.SLAStatus), Assignee: c.Assignee, ClaimantNumber: c.Claimant.Number,
		Channel: string(c.Channel), Benefit: string(c.Benefit), Reason: string(c.Reason),
		Origin: c.Origin, Outcome: c.Outcome, ParentID: c.ParentID, DDDReference: c.DDDReference,
		ReceivedAt: c.ReceivedAt, DecidedAt: c.DecidedAt, ClosedAt: c.ClosedAt, PausedSeconds: c.PausedSeconds,
		ImplicitRejectionAt: c.ImplicitRejectionAt, ClockPaused: c.ClockPaused, ReopenedAt: c.ReopenedAt,
		Version: version, Data: data, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	searchKeys(&row, c)
	// The answer the figures count: a reopened file's first.
	row.AnsweredAt, row.ElapsedDays, row.ElapsedDaysRaw = c.CountedAnswer()
	if d, ok := c.Deadline(domain.DeadlineTarget); ok {
		row.TargetDue = &d.DueAt
	}
	if d, ok := c.Deadline(domain.DeadlineLegal); ok {
		row.LegalDue = &d.DueAt
	}
	if c.Kind == domain.KindMediation && c.FirstDecision != nil {
		// The decision the figures count (figures.FileOf).
		row.DecidedAt, row.LegalDue = c.CountedDecision()
	}
	if d, ok := c.Deadline(domain.DeadlineAcknowledgment); ok {
		row.AckStatus = string(d.Status)
	}
	return row
}

// Case returns the file with id, or ENOTFOUND.
func (s *Store) Case(ctx context.Context, id string) (domain.Case, error) {
	var row CaseRow
	err := s.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "dossier introuvable")
	}
	if err != nil {
		return domain.Case{}, fmt.Errorf("store: case: %w", err)
	}
	return decodeCase(row)
}

// decodeCases decodes rows in order.
func decodeCases(rows []CaseRow) ([]domain.Case, error) {
	out := make([]domain.Case, 0, len(rows))
	for _, r := range rows {
		c, err := decodeCase(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func decodeCase(row CaseRow) (domain.Case, error) {
	if row.Data == "" && row.Imported {
		return historyCase(row), nil
	}
	var c domain.Case
	if err := json.Unmarshal([]byte(row.Data), &c); err != nil {
		return c, fmt.Errorf("store: decode case %s: %w", row.ID, err)
	}
	if c.Reference == "" && row.Reference != nil {
		// Registered before references: given one by the migration
		// 202612080001, which its workflow does not know.
		c.Reference = *row.Reference
	}
	return c, nil
}

// CaseFilter selects files for a list. Cafs is the set the caller may read;
// an empty set selects nothing.
type CaseFilter struct {
	Cafs      []string
	Kind      string
	Status    string
	Assignee  string
	SLAStatus string
	// Query is a search's text (SearchCases; Cases takes none).
	Query string
	// Live leaves imported history out.
	Live   bool
	Limit  int
	Cursor string // the id of the last file of the previous page
}

// Cases lists files newest first (ids are time-ordered UUIDv7), and the
// cursor of the next page ("" at the end). Live files and imported history
// are read apart and merged: the live ones by the partial index
// ix_cases_caf_id, the history by its own paths (the primary key, or
// (caf, reference)), which spares the import an index.
func (s *Store) Cases(ctx context.Context, f CaseFilter) ([]domain.Case, string, error) {
	if len(f.Cafs) == 0 {
		return nil, "", nil
	}
	query := func(imported bool) ([]CaseRow, error) {
		// Written as the partial index's own predicate, so that both
		// databases see it applies.
		which := "NOT imported"
		if imported {
			which = "imported"
		}
		q := s.db.WithContext(ctx).Model(&CaseRow{}).Where("caf IN ?", f.Cafs).Where(which)
		for _, w := range []struct{ col, v string }{{"kind", f.Kind}, {"status", f.Status}, {"assignee", f.Assignee}, {"sla_status", f.SLAStatus}} {
			if w.v != "" {
				q = q.Where(w.col+" = ?", w.v)
			}
		}
		if f.Cursor != "" {
			q = q.Where("id < ?", f.Cursor)
		}
		var rows []CaseRow
		err := q.Order("id DESC").Limit(f.Limit + 1).Find(&rows).Error
		return rows, err
	}
	live, err := query(false)
	if err != nil {
		return nil, "", fmt.Errorf("store: cases: %w", err)
	}
	var history []CaseRow
	if f.Assignee == "" && !f.Live { // history has no assignee
		if history, err = query(true); err != nil {
			return nil, "", fmt.Errorf("store: cases: %w", err)
		}
	}
	rows := append(live, history...)
	slices.SortFunc(rows, func(a, b CaseRow) int { return strings.Compare(b.ID, a.ID) })
	if len(rows) > f.Limit+1 {
		rows = rows[:f.Limit+1]
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[len(rows)-1].ID
	}
	out, err := decodeCases(rows)
	return out, next, err
}

// Events returns a file's timeline in order.
func (s *Store) Events(ctx context.Context, caseID string) ([]domain.Event, error) {
	var rows []EventRow
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("seq").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	out := make([]domain.Event, 0, len(rows))
	for _, r := range rows {
		ev := domain.Event{Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, Action: r.Action,
			FromStatus: domain.Status(r.FromStatus), ToStatus: domain.Status(r.ToStatus)}
		if r.Details != "" {
			if err := json.Unmarshal([]byte(r.Details), &ev.Details); err != nil {
				return nil, fmt.Errorf("store: decode event: %w", err)
			}
		}
		out = append(out, ev)
	}
	return out, nil
}

// Notifications returns the unread entries of the queues of login (its
// own, and those of its roles in each Caf), oldest first.
func (s *Store) Notifications(ctx context.Context, login string, rolesByCaf map[string][]domain.Role) ([]Notification, error) {
	q := s.db.WithContext(ctx).Where("read_at IS NULL").Where("recipient = ?", login)
	for caf, roles := range rolesByCaf {
		names := make([]string, len(roles))
		for i, r := range roles {
			names[i] = domain.RoleRecipient(r)
		}
		q = q.Or("read_at IS NULL AND caf = ? AND recipient IN ?", caf, names)
	}
	var out []Notification
	err := q.Order("created_at, id").Limit(500).Find(&out).Error
	return out, err
}

// CaseNotifications returns every entry the file (or notice) of caseID
// put in the queues, read or not, in the order of its timeline.
func (s *Store) CaseNotifications(ctx context.Context, caseID string) ([]Notification, error) {
	var out []Notification
	if err := s.db.WithContext(ctx).Where("case_id = ?", caseID).Order("seq, recipient").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	return out, nil
}

// Count is a number of files of one status and SLA status.
type Count struct {
	Kind, Status, SLAStatus string
	N                       int64
}

// CountCases counts files by kind, status and SLA status, for the metrics.
func (s *Store) CountCases(ctx context.Context) ([]Count, error) {
	var out []Count
	err := s.db.WithContext(ctx).Model(&CaseRow{}).
		Select("kind, status, sla_status, count(*) AS n").Group("kind, status, sla_status").Scan(&out).Error
	return out, err
}

// CountByStatus counts the live files of cafs (imported history left
// out: it is the figures' business) of kind, every kind when kind is "",
// by status.
func (s *Store) CountByStatus(ctx context.Context, cafs []string, kind domain.Kind) (map[string]int64, error) {
	out := map[string]int64{}
	if len(cafs) == 0 {
		return out, nil
	}
	// NOT imported: the partial index ix_cases_caf_id's own predicate.
	q := s.db.WithContext(ctx).Model(&CaseRow{}).Where("caf IN ? AND NOT imported", cafs)
	if kind != "" {
		q = q.Where("kind = ?", string(kind))
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := q.Select("status, count(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}

// Contents are how many rows the tables a request may write hold: the
// files (of which imported history), the timeline's events by action, the
// queues' entries by kind, the idempotency keys, the overpayment notices,
// the referrals, the accounts, their API tokens and sessions.
type Contents struct {
	Cases, ImportedCases int64
	EventsByAction       map[string]int64
	NotificationsByKind  map[string]int64
	IdempotencyKeys      int64
	Overpayments         int64
	Referrals            int64
	Users                int64
	Tokens               int64
	Sessions             int64
}

// Contents counts what the store holds, for checks that a refused
// request wrote nothing.
func (s *Store) Contents(ctx context.Context) (Contents, error) {
	db := s.db.WithContext(ctx)
	c := Contents{EventsByAction: map[string]int64{}, NotificationsByKind: map[string]int64{}}
	for _, t := range []struct {
		model any
		where string
		into  *int64
	}{
		{&CaseRow{}, "", &c.Cases}, {&CaseRow{}, "imported", &c.ImportedCases},
		{&IdempotencyKey{}, "", &c.IdempotencyKeys}, {&OverpaymentRow{}, "", &c.Overpayments},
		{&Referral{}, "", &c.Referrals}, {&User{}, "", &c.Users}, {&APIToken{}, "", &c.Tokens},
		{&Session{}, "", &c.Sessions},
	} {
		q := db.Model(t.model)
		if t.where != "" {
			q = q.Where(t.where)
		}
		if err := q.Count(t.into).Error; err != nil {
			return c, fmt.Errorf("store: counts: %w", err)
		}
	}
	for _, g := range []struct {
		model  any
		column string
		into   map[string]int64
	}{{&EventRow{}, "action", c.EventsByAction}, {&Notification{}, "kind", c.NotificationsByKind}} {
		var rows []struct {
			Name string
			N    int64
		}
		if err := db.Model(g.model).Select(g.column + " AS name, count(*) AS n").Group(g.column).Scan(&rows).Error; err != nil {
			return c, fmt.Errorf("store: counts: %w", err)
		}
		for _, r := range rows {
			g.into[r.Name] = r.N
		}
	}
	return c, nil
}

// ImportedRow returns the row of the Caf's imported file whose reference
// in the previous system is reference, or ENOTFOUND.
func (s *Store) ImportedRow(ctx context.Context, caf, reference string) (CaseRow, error) {
	var row CaseRow
	err := s.db.WithContext(ctx).Where("caf = ? AND reference = ?", caf, reference).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, domain.Errorf(domain.ENOTFOUND, "aucun dossier importé de référence %s", reference)
	}
	if err != nil {
		return row, fmt.Errorf("store: case: %w", err)
	}
	return row, nil
}

// CountEvents counts the timeline events of each of actions, for the
// metrics: the timeline is append-only, so each count only grows.
func (s *Store) CountEvents(ctx context.Context, actions []string) (map[string]int64, error) {
	var rows []struct {
		Action string
		N      int64
	}
	err := s.db.WithContext(ctx).Model(&EventRow{}).Select("action, count(*) AS n").
		Where("action IN ?", actions).Group("action").Scan(&rows).Error
	out := make(map[string]int64, len(actions))
	for _, a := range actions {
		out[a] = 0
	}
	for _, r := range rows {
		out[r.Action] = r.N
	}
	return out, err
}

// IdempotentRequest records the first use of a client's key. It returns
// the earlier record when the key was used before (created false).
func (s *Store) IdempotentRequest(ctx context.Context, k IdempotencyKey) (IdempotencyKey, bool, error) {
	k.CreatedAt = time.Now().UTC()
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&k)
	if res.Error != nil {
		return k, false, fmt.Errorf("store: idempotency key: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return k, true, nil
	}
	var prev IdempotencyKey
	err := s.db.WithContext(ctx).Where("actor = ? AND key = ?", k.Actor, k.Key).Take(&prev).Error
	return prev, false, err
}

// ForgetIdempotencyKey removes the record of a request that failed, so a
// retry with the same key is a first attempt again.
func (s *Store) ForgetIdempotencyKey(ctx context.Context, k IdempotencyKey) error {
	return s.db.WithContext(ctx).Where("actor = ? AND key = ? AND request_hash = ?", k.Actor, k.Key, k.RequestHash).
		Delete(&IdempotencyKey{}).Error
}

// normalise trims a login for lookups.
func normalise(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

// HasCase reports whether the file id is in the store.
func (s *Store) HasCase(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&CaseRow{}).Where("id = ?", id).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: case: %w", err)
	}
	return n > 0, nil
}

// Stored reports whether the file or overpayment notice id is in the
// store.
func (s *Store) Stored(ctx context.Context, id string) (bool, error) {
	if ok, err := s.HasCase(ctx, id); err != nil || ok {
		return ok, err
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&OverpaymentRow{}).Where("id = ?", id).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: overpayment: %w", err)
	}
	return n > 0, nil
}
