package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/store"
)

// uiQueueMax bounds a queue page: past it the page says it is cut.
const uiQueueMax = 1000

// uiRow is a file in a queue, with the days left to its deadlines.
type uiRow struct {
	File                  domain.Case
	TargetDays, LegalDays *int
	TargetDue, LegalDue   *domain.Deadline
}

// uiQueue is a list of files, nearest deadline first.
type uiQueue struct {
	Rows      []uiRow
	Truncated bool
}

// uiOpenFiles lists the files of f in the current Caf whose status is one
// of statuses, through the API's list (one status at a time).
func (s *Server) uiOpenFiles(c *gin.Context, f cases.Filter, statuses []domain.Status) (uiQueue, error) {
	var q uiQueue
	var files []domain.Case
	for _, st := range statuses {
		f := f
		f.Caf, f.Status, f.Limit, f.Cursor = uiOf(c).Caf, string(st), "200", ""
		for {
			page, err := s.Cases.List(c.Request.Context(), principal(c), f)
			if err != nil {
				return q, err
			}
			files = append(files, page.Items...)
			if page.Next == "" {
				break
			}
			if len(files) >= uiQueueMax {
				q.Truncated = true
				break
			}
			f.Cursor = page.Next
		}
	}
	q.Rows = uiRows(files, s.now())
	return q, nil
}

// uiRows sorts files by their nearest deadline (the target, then the
// legal limit; deadlines end with their day, so files received the same
// day share them), then the oldest received first, and counts the days
// left to each.
func uiRows(files []domain.Case, now time.Time) []uiRow {
	rows := make([]uiRow, len(files))
	for i, f := range files {
		rows[i].File = f
		if d, ok := f.Deadline(domain.DeadlineTarget); ok {
			n := uiDaysLeft(now, d.DueAt)
			rows[i].TargetDays, rows[i].TargetDue = &n, d
		}
		if d, ok := f.Deadline(domain.DeadlineLegal); ok {
			n := uiDaysLeft(now, d.DueAt)
			rows[i].LegalDays, rows[i].LegalDue = &n, d
		}
	}
	slices.SortStableFunc(rows, func(a, b uiRow) int {
		if c := dueCmp(a.TargetDue, b.TargetDue); c != 0 {
			return c
		}
		if c := dueCmp(a.LegalDue, b.LegalDue); c != 0 {
			return c
		}
		return a.File.ReceivedAt.Compare(b.File.ReceivedAt)
	})
	return rows
}

func dueCmp(a, b *domain.Deadline) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return a.DueAt.Compare(b.DueAt)
}

var openComplaintStatuses = []domain.Status{domain.StatusOpen, domain.StatusAssigned, domain.StatusInProgress, domain.StatusAwaitingClaimant}

// uiMyQueue: the agent's open files, nearest deadline first.
func (s *Server) uiMyQueue(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjComplaint, string(domain.ActionStart)) {
		return
	}
	q, err := s.uiOpenFiles(c, cases.Filter{Kind: string(domain.KindComplaint), Assignee: uiOf(c).User.Login}, openComplaintStatuses)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	s.uiRender(c, http.StatusOK, "queue", "Ma file", q)
}

// uiTeam is the manager's view of the Caf: what waits for an officer,
// what is late, and the counts by status.
type uiTeam struct {
	Unassigned uiQueue
	Late       uiQueue
	Counts     []uiCount
	Officers   []store.UserRoles
	Errors     []string
	Assignee   string
	Selected   map[string]bool
}

type uiCount struct {
	Status string
	N      int64
}

func (s *Server) uiTeamData(c *gin.Context) (uiTeam, error) {
	var t uiTeam
	var err error
	caf := uiOf(c).Caf
	if t.Unassigned, err = s.uiOpenFiles(c, cases.Filter{Kind: string(domain.KindComplaint)}, []domain.Status{domain.StatusOpen}); err != nil {
		return t, err
	}
	// The unassigned are in the first list, late or not.
	var late []uiRow
	for _, sla := range []domain.SLAStatus{domain.SLAOverdue, domain.SLATargetMissed} {
		q, err := s.uiOpenFiles(c, cases.Filter{Kind: string(domain.KindComplaint), SLAStatus: string(sla)}, openComplaintStatuses[1:])
		if err != nil {
			return t, err
		}
		late = append(late, q.Rows...)
		t.Late.Truncated = t.Late.Truncated || q.Truncated
	}
	files := make([]domain.Case, len(late))
	for i, r := range late {
		files[i] = r.File
	}
	t.Late.Rows = uiRows(files, s.now())
	// Counts of the Caf's live complaints by status (the imported history
	// is the figures' business).
	counts, err := s.Store.CountByStatus(c.Request.Context(), []string{caf}, domain.KindComplaint)
	if err != nil {
		return t, err
	}
	for _, st := range domain.ComplaintStatuses {
		t.Counts = append(t.Counts, uiCount{Status: string(st), N: counts[string(st)]})
	}
	t.Officers, err = s.uiOfficers(c, caf)
	return t, err
}

// uiOfficers lists the benefits officers of caf.
func (s *Server) uiOfficers(c *gin.Context, caf string) ([]store.UserRoles, error) {
	users, err := s.Store.Users(c.Request.Context(), []string{caf})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(users, func(u store.UserRoles) bool {
		return !slices.Contains(u.Roles[caf], string(domain.RoleGCA))
	}), nil
}

// uiTeamQueue: the manager's queue.
func (s *Server) uiTeamQueue(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjComplaint, string(domain.ActionAssign)) {
		return
	}
	t, err := s.uiTeamData(c)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	flash := ""
	// The banner names an officer of the team by the name we hold, never
	// by the query string's text, which anyone can write into a link.
	if n, err := strconv.Atoi(c.Query("attribues")); err == nil && n > 0 && n <= 10000 {
		for _, o := range t.Officers {
			if o.Login == c.Query("a") {
				flash = fmt.Sprintf("%d dossier(s) attribué(s) à %s.", n, cmp.Or(o.Name, o.Login))
			}
		}
	}
	s.uiRenderFlash(c, http.StatusOK, "team", "File d'équipe", flash, t)
}

// uiAssign assigns (or reassigns) the checked files to one officer, each
// through the API's action; what fails is listed and the rest is done.
func (s *Server) uiAssign(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjComplaint, string(domain.ActionAssign)) {
		return
	}
	ids := c.Request.PostForm["case_id"]
	assignee := c.Request.PostForm.Get("assignee")
	var problems []string
	switch {
	case len(ids) == 0:
		problems = append(problems, "Cochez au moins un dossier à attribuer.")
	case assignee == "":
		problems = append(problems, "Choisissez le gestionnaire à qui attribuer les dossiers.")
	}
	done := 0
	if len(problems) == 0 {
		for _, id := range ids {
			err := s.uiAssignOne(c, id, assignee)
			if err != nil {
				problems = append(problems, "Dossier "+uiShort(id)+" : "+uiErrText(err))
				continue
			}
			done++
		}
	}
	if len(problems) == 0 {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ui/equipe?attribues=%d&a=%s", done, url.QueryEscape(assignee)))
		return
	}
	t, err := s.uiTeamData(c)
	if err != nil {
		s.uiFail(c, err)
		return
	}
	t.Errors, t.Assignee, t.Selected = problems, assignee, map[string]bool{}
	for _, id := range ids {
		t.Selected[id] = true
	}
	flash := ""
	if done > 0 {
		flash = fmt.Sprintf("%d dossier(s) attribué(s) à %s.", done, assignee)
	}
	s.uiRenderFlash(c, http.StatusUnprocessableEntity, "team", "File d'équipe", flash, t)
}

func (s *Server) uiAssignOne(c *gin.Context, id, assignee string) error {
	_, err := s.Cases.Act(c.Request.Context(), principal(c), id, domain.ActionAssign, domain.ActionArgs{Assignee: assignee}, cases.Idempotency{})
	return err
}

func uiShort(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// uiErrText is an error in one French sentence.
func uiErrText(err error) string {
	var de *domain.Error
	if !errors.As(err, &de) {
		if cases.IsUnavailable(err) {
			return "service momentanément indisponible, réessayez"
		}
		return "erreur interne"
	}
	msg := de.Message
	for _, f := range de.Fields {
		msg += " ; " + uiLabel(uiFieldLabels, f.Field) + " : " + f.Message
	}
	return msg
}
