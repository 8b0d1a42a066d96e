package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/jsonbody"
)

// Referral is what the liaison sees of a referral's file.
type Referral struct {
	DDDReference       string     `json:"ddd_reference"`
	CaseID             string     `json:"case_id"`
	Caf                string     `json:"caf"`
	Status             string     `json:"status"`
	ResponseExpectedBy string     `json:"response_expected_by"`
	Outcome            string     `json:"outcome,omitempty"`
	Explanation        string     `json:"explanation,omitempty"`
	DecidedAt          *time.Time `json:"decided_at,omitempty"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

func referralOf(c domain.Case) Referral {
	r := Referral{DDDReference: c.DDDReference, CaseID: c.ID, Caf: c.Caf, Status: string(c.Status),
		ResponseExpectedBy: c.ResponseExpectedBy, UpdatedAt: c.UpdatedAt}
	if c.DecidedAt != nil {
		r.Outcome, r.Explanation, r.DecidedAt = c.Outcome, c.Explanation, c.DecidedAt
	}
	return r
}

// createReferral opens the mediation file of a Défenseur des droits
// referral. The reference is the key: the same body again answers 200
// with the same file, a different body 409.
func (s *Server) createReferral(c *gin.Context) {
	var in domain.NewReferral
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, created, err := s.Cases.Refer(c.Request.Context(), principal(c), in, body)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	c.Header("Location", "/api/v1/cases/"+out.ID)
	c.JSON(status, out)
}

func (s *Server) getReferral(c *gin.Context) {
	file, err := s.Cases.Referral(c.Request.Context(), principal(c), c.Param("ddd_reference"), authz.ActRead)
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, referralOf(file))
}

// followUpReferral records a follow-up of the Défenseur des droits (a
// request for explanation or a formal notice).
func (s *Server) followUpReferral(c *gin.Context) {
	var in jsonbody.FollowUp
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	args := in.Args()
	out, err := s.Cases.FollowUp(c.Request.Context(), principal(c), c.Param("ddd_reference"), args, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, referralOf(out))
}

// listReferrals answers what changed since updated_since, oldest change
// first, for the liaison's polling.
func (s *Server) listReferrals(c *gin.Context) {
	files, err := s.Cases.Referrals(c.Request.Context(), principal(c), cases.ReferralFilter{
		UpdatedSince: c.Query("updated_since"), Cursor: c.Query("cursor"), Limit: c.Query("limit")})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	items := make([]Referral, len(files.Items))
	for i, file := range files.Items {
		items[i] = referralOf(file)
	}
	c.JSON(http.StatusOK, page(items, files.Next))
}
