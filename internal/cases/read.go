package cases

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
)

// What a read of a file was, in the access trail.
const (
	ReadDetail = "detail"
	ReadEvents = "events"
	// ReadMessage is a message downloaded from the outbox: the letter
	// names the claimant and says what was decided.
	ReadMessage = "message"
	// ReadList is a page of a list (the entry names its files); ReadSearch
	// a file found by a search.
	ReadList   = "list"
	ReadSearch = "search"
	// ReadMessages is the list of what was written to the claimant (to
	// whom, how, whether it reached them).
	ReadMessages = "messages"
)

// View is a file with the chain it belongs to (complaint → mediation →
// referral), when it has links.
type View struct {
	domain.Case
	Chain []domain.Link `json:"chain,omitempty"`
	// PriorFiles are the claimant's other files in the Caf, shown on a
	// mediation so the mediator sees the prior approaches.
	PriorFiles []domain.PriorFile `json:"prior_files,omitempty"`
}

// Readable loads a file p may read, without recording a read: ENOTFOUND
// when it does not exist or p holds no role in its Caf, EFORBIDDEN when
// p holds one that cannot read files.
//
// id is the file's id or its reference: a reference as typed
// (071-R-2026-004512, case and spaces ignored), or an imported file's
// reference in the previous system, looked up in the Cafs p may read.
func (s *Service) Readable(ctx context.Context, p domain.Principal, id string) (domain.Case, error) {
	var file domain.Case
	var err error
	if _, perr := uuid.Parse(id); perr == nil {
		file, err = s.Store.Case(ctx, id)
	} else {
		file, err = s.byReference(ctx, p, id)
	}
	if err == nil {
		err = s.Authz.Check(p.Login, file.Caf, authz.ObjCase, authz.ActRead)
	}
	return file, err
}

// byReference is the file whose reference is ref among those p may read.
func (s *Service) byReference(ctx context.Context, p domain.Principal, ref string) (domain.Case, error) {
	notFound := &domain.Error{Code: domain.ENOTFOUND, Message: "dossier introuvable"}
	if ref = strings.TrimSpace(ref); ref == "" || len(ref) > 64 {
		return domain.Case{}, notFound
	}
	cafs := s.Authz.Cafs(p.Login, authz.ObjCase, authz.ActRead)
	if norm, caf, ok := domain.ParseReference(ref); ok {
		ref, cafs = norm, []string{caf}
	}
	return s.Store.CaseByReference(ctx, cafs, ref)
}

// Record appends p's reading of what of the file (or notice) id of caf to
// the access trail: a read that cannot be traced is not served.
func (s *Service) Record(ctx context.Context, p domain.Principal, id, caf, what string) error {
	return s.Store.RecordAccess(ctx, store.AccessEntry{
		At: time.Now(), Actor: p.Login, IP: p.Address, CaseID: id, Caf: caf, What: what + tokenBy(p),
	})
}

// tokenBy is what an access-trail entry adds when the read came with a
// token someone else made for the user (a national administrator): the
// entry names both, the user as its actor and the token's maker here.
func tokenBy(p domain.Principal) string {
	if p.TokenBy == "" {
		return ""
	}
	return " (jeton créé par " + p.TokenBy + ")"
}

// Get is the file id with its links, its reading recorded.
func (s *Service) Get(ctx context.Context, p domain.Principal, id string) (View, error) {
	file, err := s.Readable(ctx, p, id)
	if err == nil {
		err = s.Record(ctx, p, file.ID, file.Caf, ReadDetail)
	}
	if err != nil {
		return View{}, err
	}
	return s.ViewOf(ctx, file)
}

// ViewOf adds to a file its chain and, on a mediation, the claimant's
// prior files; it is the file as agents see it (domain.Case.ForAgents).
func (s *Service) ViewOf(ctx context.Context, file domain.Case) (View, error) {
	view := View{Case: file.ForAgents()}
	var err error
	if view.Chain, err = s.Store.Chain(ctx, file.ID); err == nil && file.Kind == domain.KindMediation {
		view.PriorFiles, err = s.Store.PriorFiles(ctx, file.Caf, file.Claimant.Number, file.ID)
	}
	return view, err
}

// Events is the timeline of the file id as agents see it, its reading
// recorded.
func (s *Service) Events(ctx context.Context, p domain.Principal, id string) ([]domain.Event, error) {
	file, err := s.Readable(ctx, p, id)
	if err == nil {
		err = s.Record(ctx, p, file.ID, file.Caf, ReadEvents)
	}
	if err != nil {
		return nil, err
	}
	events, err := s.Store.Events(ctx, file.ID)
	for i, e := range events {
		if e.Action == domain.EventMessageSent || e.Action == domain.EventMessageFailed {
			events[i].Details = publicDelivery(e.Details, file.Claimant)
		}
	}
	return domain.EventsForAgents(events), err
}

// publicDelivery is the details of a message's event as they may be
// shown: its reference names files by name, its error neither the
// claimant nor a path on the server. The activity records them so; an
// event recorded before it did is shown so too.
func publicDelivery(details map[string]any, c domain.Claimant) map[string]any {
	out := make(map[string]any, len(details))
	for k, v := range details {
		if text, ok := v.(string); ok && k == "reference" {
			v = domain.PublicMessageReference(text)
		} else if ok && k == "error" {
			v = domain.RedactMessageError(text, c)
		}
		out[k] = v
	}
	return out
}

// Filter is what a list of files asks for, as the client typed it.
type Filter struct {
	// Caf restricts the list to one Caf; empty: every Caf p may read.
	Caf                                  string
	Kind, Status, Assignee, SLAStatus, Q string
	Cursor                               string
	// Limit is the page's size, as typed: 50 when empty, 200 at most.
	Limit string
}

// MaxLimit is the largest page of any list.
const MaxLimit = 200

// checkLimit reads a page size: 1 to MaxLimit, def when empty.
func checkLimit(p *domain.Problems, l string, def int) int {
	if l == "" {
		return def
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > MaxLimit {
		p.Add("limit", fmt.Sprintf("entre 1 et %d", MaxLimit))
	}
	return n
}

// List lists the files of f in the Cafs p may read, newest first.
func (s *Service) List(ctx context.Context, p domain.Principal, f Filter) (Page[domain.Case], error) {
	f.Q = strings.TrimSpace(f.Q)
	var probs domain.Problems
	sf := store.CaseFilter{Kind: f.Kind, Status: f.Status, Assignee: f.Assignee, SLAStatus: f.SLAStatus, Query: f.Q, Cursor: f.Cursor}
	if k := domain.Kind(f.Kind); f.Kind != "" && k != domain.KindComplaint && k != domain.KindMediation {
		probs.Add("kind", "type de dossier inconnu (complaint ou mediation)")
	}
	if st := domain.Status(f.Status); f.Status != "" && !slices.Contains(domain.ComplaintStatuses, st) && !slices.Contains(domain.MediationStatuses, st) {
		probs.Add("status", "statut inconnu")
	}
	if f.SLAStatus != "" && !domain.SLAStatus(f.SLAStatus).Valid() {
		probs.Add("sla_status", "état de délai inconnu")
	}
	if f.Caf != "" && !domain.ValidCafCode(f.Caf) {
		probs.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	// A search's pages are ranked, its cursor the rank's offset; a list's
	// is the last id of the page before.
	offset := 0
	if f.Cursor != "" {
		var err error
		if f.Q != "" {
			offset, err = strconv.Atoi(f.Cursor)
			if err == nil && (offset < 0 || offset > 10000) {
				err = strconv.ErrRange
			}
		} else {
			_, err = uuid.Parse(f.Cursor)
		}
		if err != nil {
			probs.Add("cursor", "curseur invalide")
		}
	}
	if len(f.Q) > 200 {
		probs.Add("q", "recherche trop longue (200 caractères au plus)")
	}
	sf.Limit = checkLimit(&probs, f.Limit, 50)
	if err := probs.Err(); err != nil {
		return Page[domain.Case]{}, err
	}
	readable := s.Authz.Cafs(p.Login, authz.ObjCase, authz.ActRead)
	if f.Caf != "" {
		if !slices.Contains(readable, f.Caf) {
			return Page[domain.Case]{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "vous n'avez pas accès aux dossiers de cette Caf"}
		}
		readable = []string{f.Caf}
	}
	if len(readable) == 0 {
		return Page[domain.Case]{}, &domain.Error{Code: domain.EFORBIDDEN, Message: "votre rôle ne permet pas de consulter les dossiers"}
	}
	sf.Cafs = readable
	var items []domain.Case
	var next string
	var err error
	what := ReadList
	if f.Q != "" {
		what = ReadSearch
		var more bool
		items, more, err = s.Store.SearchCases(ctx, sf, offset)
		if more {
			next = strconv.Itoa(offset + len(items))
		}
	} else {
		items, next, err = s.Store.Cases(ctx, sf)
	}
	if err == nil {
		err = s.recordList(ctx, p, items, what)
	}
	if err != nil {
		return Page[domain.Case]{}, err
	}
	for i := range items {
		items[i] = items[i].ForAgents()
	}
	return Page[domain.Case]{Items: items, Next: next}, nil
}

// recordList appends to the access trail what a list or a search showed:
// each shows the claimant. A search, the lookup of a claimant, records an
// entry for each file it found; a list (a queue) one entry for each Caf
// of its page, naming the files (store.ListedPrefix). A list that cannot
// be traced is not served.
func (s *Service) recordList(ctx context.Context, p domain.Principal, items []domain.Case, what string) error {
	var entries []store.AccessEntry
	now := time.Now()
	listed := map[string]int{} // a Caf's entry, by its index
	for _, f := range items {
		if what == ReadSearch {
			entries = append(entries, store.AccessEntry{At: now, Actor: p.Login, IP: p.Address, CaseID: f.ID, Caf: f.Caf, What: what})
			continue
		}
		if i, ok := listed[f.Caf]; ok {
			entries[i].What += " " + f.ID
			continue
		}
		listed[f.Caf] = len(entries)
		entries = append(entries, store.AccessEntry{At: now, Actor: p.Login, IP: p.Address, Caf: f.Caf, What: store.ListedPrefix + f.ID})
	}
	for i := range entries {
		entries[i].What += tokenBy(p)
	}
	return s.Store.RecordAccesses(ctx, entries)
}

// Messages lists what was written to the claimant about a file (or a
// notice) p may read: kind, channel, status, attempts.
func (s *Service) Messages(ctx context.Context, p domain.Principal, id string) ([]store.ClaimantMessage, error) {
	file, err := s.Readable(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if err := s.Record(ctx, p, file.ID, file.Caf, ReadMessages); err != nil {
		return nil, err
	}
	rows, err := s.Store.Messages(ctx, file.ID)
	// As publicDelivery: a row recorded before the activity named files by
	// name and blotted the claimant out is shown so too.
	for i := range rows {
		rows[i].Reference = domain.PublicMessageReference(rows[i].Reference)
		rows[i].LastError = domain.RedactMessageError(rows[i].LastError, file.Claimant)
	}
	return rows, err
}

// ClaimantStory is every file of the claimant number that p may see, in
// every Caf where p reads files (and notices, where p reads them); the
// panel shows it on intake and on each file. Each Caf's part is one entry
// of the access trail naming the files.
func (s *Service) ClaimantStory(ctx context.Context, p domain.Principal, number string) ([]store.StoryFile, error) {
	number = domain.CleanClaimantNumber(number)
	if !domain.ValidClaimantNumber(number) {
		return nil, nil
	}
	cafs := s.Authz.Cafs(p.Login, authz.ObjCase, authz.ActRead)
	files, err := s.Store.ClaimantStory(ctx, cafs, number)
	if err != nil {
		return nil, err
	}
	noticeCafs := s.Authz.Cafs(p.Login, ObjOverpayment, authz.ActRead)
	shown := files[:0]
	items := make([]domain.Case, 0, len(files))
	for _, f := range files {
		if f.Kind == "overpayment" && !slices.Contains(noticeCafs, f.Caf) {
			continue
		}
		shown = append(shown, f)
		items = append(items, domain.Case{ID: f.ID, Caf: f.Caf})
	}
	return shown, s.recordList(ctx, p, items, ReadList)
}
