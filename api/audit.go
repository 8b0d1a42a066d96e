package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// accessTrail lets an auditor read the trail of the Cafs it audits, per
// file (case_id) or per agent (actor), newest first.
func (s *Server) accessTrail(c *gin.Context) {
	var p domain.Problems
	f := store.AccessFilter{CaseID: c.Query("case_id"), Actor: c.Query("actor"),
		Cafs: s.Authz.Cafs(user(c).Login, "audit", "read")}
	if len(f.Cafs) == 0 {
		httpx.WriteProblem(c, http.StatusForbidden, "réservé aux auditeurs", nil)
		return
	}
	if f.CaseID != "" {
		if _, err := uuid.Parse(f.CaseID); err != nil {
			p.Add("case_id", "identifiant de dossier invalide")
		}
	}
	f.Limit = limitParam(c, &p, 50, 200)
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseUint(cur, 10, 64)
		if err != nil || n == 0 {
			p.Add("cursor", "curseur invalide")
		}
		f.Before = n
	}
	if err := p.Err(); err != nil {
		httpx.Fail(c, err)
		return
	}
	entries, more, err := s.Store.AccessEntries(c.Request.Context(), f)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	next := ""
	if more {
		next = strconv.FormatUint(entries[len(entries)-1].ID, 10)
	}
	c.JSON(http.StatusOK, page(accessViews(entries), next))
}

// AccessEntryView is an entry of the access trail as the API shows it.
type AccessEntryView struct {
	ID       uint64    `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	IP       string    `json:"ip"`
	CaseID   string    `json:"case_id"`
	Caf      string    `json:"caf"`
	What     string    `json:"what"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

func accessViews(entries []store.AccessEntry) []AccessEntryView {
	out := make([]AccessEntryView, len(entries))
	for i, e := range entries {
		out[i] = AccessEntryView{ID: e.ID, At: e.At, Actor: e.Actor, IP: e.IP, CaseID: e.CaseID, Caf: e.Caf,
			What: e.What, PrevHash: e.PrevHash, Hash: e.Hash}
	}
	return out
}

// GrantEventView is a grant or revocation of a role, as the API shows it.
type GrantEventView struct {
	ID     uint64    `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Login  string    `json:"login"`
	Caf    string    `json:"caf"`
	Role   string    `json:"role"`
	Action string    `json:"action"`
}

func grantViews(events []store.GrantEvent) []GrantEventView {
	out := make([]GrantEventView, len(events))
	for i, e := range events {
		out[i] = GrantEventView{ID: e.ID, At: e.At, Actor: e.Actor, Login: e.Login, Caf: e.Caf, Role: e.Role, Action: e.Action}
	}
	return out
}
