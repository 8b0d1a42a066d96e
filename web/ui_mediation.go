package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"recours/internal/authz"
	"recours/internal/cases"
	"recours/internal/domain"
)

// uiDesk is the mediator's desk: the Caf's mediation files by stage.
type uiDesk struct {
	Stages []uiStage
}

type uiStage struct {
	ID, Title, Help string
	Queue           uiQueue
	Opinions        bool
}

// uiMediationDesk: received, admitted (and in study), awaiting opinion,
// decided; each file links to its page, where the forms are.
func (s *Server) uiMediationDesk(c *gin.Context) {
	if !s.uiAllow(c, authz.ObjMediation, string(domain.ActionDecide)) {
		return
	}
	stages := []struct {
		id, title, help string
		statuses        []domain.Status
	}{
		{"recues", "Reçues : recevabilité à décider", "La démarche préalable auprès de la Caf est indiquée sur chaque dossier.", []domain.Status{domain.StatusReceived}},
		{"recevables", "Recevables, à l'étude", "Délais de recours de l'allocataire suspendus jusqu'à la décision.", []domain.Status{domain.StatusAdmitted, domain.StatusInStudy}},
		{"avis", "En attente d'avis", "Chaque avis demandé a son propre délai.", []domain.Status{domain.StatusAwaitingOpinion}},
		{"decidees", "Décidées", "À clore, ou portées ensuite devant le Défenseur des droits.", []domain.Status{domain.StatusDecided}},
	}
	var d uiDesk
	for _, st := range stages {
		q, err := s.uiOpenFiles(c, cases.Filter{Kind: string(domain.KindMediation)}, st.statuses)
		if err != nil {
			s.uiFail(c, err)
			return
		}
		d.Stages = append(d.Stages, uiStage{ID: st.id, Title: st.title, Help: st.help, Queue: q, Opinions: st.id == "avis"})
	}
	s.uiRender(c, http.StatusOK, "mediation", "Médiation", d)
}
