package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/cases"
	"recours/internal/domain"
	"recours/internal/httpx"
	"recours/internal/store"
)

// createOverpayment registers an overpayment notice and starts its
// workflow.
func (s *Server) createOverpayment(c *gin.Context) {
	var in domain.NewOverpayment
	body, ok := readJSON(c, &in)
	if !ok {
		return
	}
	out, err := s.Cases.Notify(c.Request.Context(), principal(c), in, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/overpayments/"+out.ID)
	c.JSON(http.StatusCreated, out)
}

func (s *Server) getOverpayment(c *gin.Context) {
	o, err := s.Cases.Overpayment(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// listOverpayments lists the notices of the Cafs the user may read,
// newest first (?caf=, ?status=, ?limit=).
func (s *Server) listOverpayments(c *gin.Context) {
	items, err := s.Cases.Overpayments(c.Request.Context(), principal(c),
		cases.OverpaymentFilter{Caf: c.Query("caf"), Status: c.Query("status"), Limit: c.Query("limit")})
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page(items, ""))
}

// actOnOverpayment performs explain, record_call or send on a notice.
func (s *Server) actOnOverpayment(c *gin.Context) {
	var args domain.OverpaymentArgs
	body, ok := readJSON(c, &args)
	if !ok {
		return
	}
	out, err := s.Cases.ActOnOverpayment(c.Request.Context(), principal(c), c.Param("id"), c.Param("action"), args, idem(c, body))
	if err != nil {
		httpx.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// MessageView is a message to the claimant as the API shows it.
type MessageView struct {
	Kind      string  `json:"kind"`
	Version   int     `json:"version"`
	Channel   string  `json:"channel"`
	Status    string  `json:"status"`
	Reference string  `json:"reference,omitempty"`
	SMS       string  `json:"sms,omitempty"`
	Attempts  int     `json:"attempts"`
	LastError string  `json:"last_error,omitempty"`
	SentAt    *string `json:"sent_at,omitempty"`
	CreatedAt string  `json:"created_at"`
}

func messageViews(rows []store.ClaimantMessage) []MessageView {
	out := make([]MessageView, 0, len(rows))
	for _, r := range rows {
		v := MessageView{Kind: r.Kind, Version: r.Version, Channel: r.Channel, Status: r.Status, Reference: r.Reference,
			SMS: r.SMS, Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt.UTC().Format(timeLayout)}
		if r.SentAt != nil {
			at := r.SentAt.UTC().Format(timeLayout)
			v.SentAt = &at
		}
		out = append(out, v)
	}
	return out
}

const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"
