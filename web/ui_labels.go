package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"recours/internal/calendar"
	"recours/internal/domain"
)

// The French words of the interface, one table per vocabulary (the
// glossary of DOMAIN.md).
var (
	uiStatusLabels = map[string]string{
		"open": "à attribuer", "assigned": "attribuée", "in_progress": "en cours d'étude",
		"awaiting_claimant": "en attente de l'allocataire", "answered": "répondue", "closed": "close",
		"withdrawn": "retirée", "escalated": "passée en médiation",
		"received": "reçue", "admitted": "recevable", "in_study": "à l'étude",
		"awaiting_opinion": "en attente d'avis", "decided": "décidée", "reoriented": "réorientée",
		"referred_to_ddd": "portée devant le Défenseur des droits", "merged": "fusionnée avec le dossier qu'elle répète",
	}
	uiKindLabels    = map[string]string{"complaint": "Réclamation", "mediation": "Médiation"}
	uiChannelLabels = map[string]string{
		"phone": "Téléphone", "email": "Courriel", "desk": "Accueil", "online": "Espace en ligne (caf.fr)",
		"letter": "Courrier", "appointment": "Rendez-vous",
	}
	uiBenefitLabels = map[string]string{
		"housing_aid": "Aide au logement", "rsa": "RSA", "ppa": "Prime d'activité", "paje": "PAJE",
		"family_allowance": "Allocations familiales", "aah": "AAH", "other": "Autre prestation",
	}
	uiReasonLabels = map[string]string{
		"overpayment_not_understood": "Trop-perçu non compris", "decision_not_understood": "Décision non comprise",
		"payment_missing_or_late": "Paiement absent ou en retard", "processing_delay": "Délai de traitement",
		"calculation_error": "Erreur de calcul", "documents": "Pièces justificatives",
		"service_quality": "Qualité du service", "other": "Autre motif",
	}
	uiOriginLabels = map[string]string{
		"claimant": "L'allocataire", "defenseur_des_droits": "Défenseur des droits", "elected_official": "Un élu",
		"social_worker": "Un travailleur social", "association": "Une association", "internal": "Interne", "other": "Autre",
	}
	uiOutcomeLabels = map[string]string{
		"maintained": "Décision maintenue", "revised": "Décision révisée", "partly_revised": "Décision partiellement révisée",
	}
	uiSLALabels = map[string]string{
		"on_time": "dans les délais", "due_soon": "échéance proche", "target_missed": "objectif dépassé",
		"overdue": "hors délai", "met": "répondue dans les délais", "missed": "répondue hors délai",
	}
	uiDeadlineLabels = map[string]string{
		"acknowledgment": "Accusé de réception", "target": "Objectif de réponse", "legal": "Limite de réponse (engagement de service)",
		"implicit_rejection": "Rejet implicite (délai légal, CRPA L231-4)",
	}
	uiActionLabels = map[string]string{
		"created": "Enregistrement", "assign": "Attribuer", "start": "Commencer l'étude",
		"request_documents": "Demander des pièces", "documents_received": "Pièces reçues", "answer": "Répondre",
		"close": "Clore", "reopen": "Rouvrir", "withdraw": "Enregistrer le retrait", "escalate": "Passer en médiation",
		"admit": "Déclarer recevable", "reorient": "Réorienter en réclamation", "request_opinion": "Demander un avis",
		"record_opinion": "Enregistrer un avis", "decide": "Décider", "court_case_filed": "Action en justice engagée",
		"refer_to_ddd": "Saisine du Défenseur des droits", "follow_up": "Relance du Défenseur des droits",
		"link_referral": "Saisine rattachée", "correct": "Corriger une donnée", "transfer": "Transférer à une autre Caf",
		"merge": "Fusionner avec le dossier qu'il répète", "transfer_in": "Dossier transféré à la Caf", "reminder": "Rappel : objectif proche",
		"deadline_missed": "Accusé de réception en retard", "target_missed": "Objectif dépassé",
		"legal_limit_passed": "Limite de réponse dépassée", "implicit_rejection": "Rejet implicite",
		"documents_reminder": "Rappel des pièces à l'allocataire", "documents_lapsed": "Pièces non reçues à la date : reprise du dossier",
		"opinion_reminder": "Rappel d'avis", "message_sent": "Message envoyé à l'allocataire",
		"message_failed": "Message non remis à l'allocataire", "opinion_expired": "Avis non rendu dans le délai",
	}
	// uiDoneLabels say what an action did, for the message shown after it.
	uiDoneLabels = map[string]string{
		"assign": "dossier attribué", "start": "étude commencée",
		"request_documents":  "pièces demandées ; le délai est suspendu jusqu'à leur réception ou la date donnée",
		"documents_received": "pièces reçues ; le délai reprend", "answer": "réponse enregistrée",
		"close": "dossier clos", "reopen": "dossier rouvert", "withdraw": "retrait enregistré",
		"escalate": "médiation ouverte", "admit": "médiation déclarée recevable",
		"reorient": "réclamation ouverte", "request_opinion": "avis demandé", "record_opinion": "avis enregistré",
		"decide": "décision enregistrée", "court_case_filed": "action en justice enregistrée",
		"refer_to_ddd": "saisine du Défenseur des droits enregistrée",
	}
	uiFieldLabels = map[string]string{
		"assignee": "Gestionnaire", "note": "Pièces demandées (message à l'allocataire)", "answer": "Réponse à l'allocataire",
		"reason": "Motif", "prior_contact_case_id": "Démarche préalable auprès de la Caf",
		"no_court_case": "Aucune action en justice n'est en cours", "service": "Service consulté",
		"documents": "Documents à envoyer", "suspended_days": "Jours de suspension du rejet implicite",
		"implicit_rejection_due_at": "Rejet implicite reporté au",
		"question":                  "Question posée", "due_in_days": "Délai de réponse (jours)", "opinion_id": "Avis",
		"text": "Avis rendu", "outcome": "Issue", "explanation": "Explication écrite pour l'allocataire",
		"court": "Juridiction", "filed_on": "Date de saisine du juge", "ddd_reference": "Référence du Défenseur des droits",
		"previous_assignee": "Gestionnaire précédent", "mediation_id": "Médiation ouverte", "mediation_reference": "Référence de la médiation",
		"complaint_reference": "Référence de la réclamation", "deadline": "Échéance",
		"due_at": "Échéance", "received_at": "Reçue le", "channel": "Canal", "origin": "Origine",
		"parent_id": "Dossier d'origine", "sla_status": "Délai", "paused_seconds": "Durée de la suspension",
		"reference": "Référence", "status": "État", "key": "Clé", "complaint_id": "Réclamation ouverte", "kind": "Type",
		"claimant.number": "Numéro allocataire", "claimant.name": "Nom de l'allocataire", "caf": "Caf",
		"benefit": "Prestation", "subject": "Objet", "description": "Description",
		"claimant.address": "Adresse postale de l'allocataire", "decision_notified_on": "Date de notification de la décision contestée",
		"received_on": "Date de réception", "related_case_id": "Dossier à l'origine de la demande",
		"response_expected_by": "Réponse attendue le", "field": "Donnée à corriger", "value": "Nouvelle valeur",
		"into": "Dossier conservé", "old": "Ancienne valeur", "new": "Nouvelle valeur", "from_caf": "Caf d'origine",
		"to_caf": "Caf d'arrivée", "claimant.email": "Courriel de l'allocataire", "claimant.phone": "Téléphone de l'allocataire",
	}
)

func uiLabel(m map[string]string, word any) string {
	w := fmt.Sprint(word)
	if l, ok := m[w]; ok {
		return l
	}
	return w
}

// uiDay is a day in Paris.
func uiDay(t time.Time) time.Time {
	p := t.In(calendar.Paris)
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

// uiDaysLeft is the number of calendar days (Paris) from now to due.
func uiDaysLeft(now, due time.Time) int {
	return int(uiDay(due).Sub(uiDay(now)).Hours() / 24)
}

func uiDaysText(n int) string {
	switch {
	case n == 0:
		return "aujourd'hui"
	case n == 1:
		return "1 jour"
	case n > 1:
		return strconv.Itoa(n) + " jours"
	case n == -1:
		return "dépassé de 1 jour"
	}
	return "dépassé de " + strconv.Itoa(-n) + " jours"
}

var uiFuncs = template.FuncMap{
	"status":   func(w any) string { return uiLabel(uiStatusLabels, w) },
	"kind":     func(w any) string { return uiLabel(uiKindLabels, w) },
	"channel":  func(w any) string { return uiLabel(uiChannelLabels, w) },
	"benefit":  func(w any) string { return uiLabel(uiBenefitLabels, w) },
	"reason":   func(w any) string { return uiLabel(uiReasonLabels, w) },
	"origin":   func(w any) string { return uiLabel(uiOriginLabels, w) },
	"outcome":  func(w any) string { return uiLabel(uiOutcomeLabels, w) },
	"sla":      func(w any) string { return uiLabel(uiSLALabels, w) },
	"deadline": func(w any) string { return uiLabel(uiDeadlineLabels, w) },
	"action":   func(w any) string { return uiLabel(uiActionLabels, w) },
	"field":    func(w any) string { return uiLabel(uiFieldLabels, w) },
	"detail":   uiDetail,
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.In(calendar.Paris).Format("02/01/2006")
		case *time.Time:
			if v != nil {
				return v.In(calendar.Paris).Format("02/01/2006")
			}
		}
		return ""
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			return v.In(calendar.Paris).Format("02/01/2006 à 15:04")
		case *time.Time:
			if v != nil {
				return v.In(calendar.Paris).Format("02/01/2006 à 15:04")
			}
		}
		return ""
	},
	"slaclass": uiSLAClass,
	"deref":    func(p *int) int { return *p },
	"deref2":   func(p *bool) bool { return *p },
	"add":      func(a, b int) int { return a + b },
	"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"days":     uiDaysText,
	// ref names a file: its reference, or the start of the id of a file
	// registered before references.
	"ref": func(ref, id string) string {
		if ref != "" {
			return ref
		}
		return strings.SplitN(id, "-", 2)[0]
	},
	"join": strings.Join,
	// sentence starts a message with a capital.
	"sentence": func(m string) string {
		r := []rune(m)
		if len(r) == 0 {
			return m
		}
		return strings.ToUpper(string(r[0])) + string(r[1:])
	},
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"fid": func(field string) string { return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(field) },
	"pct": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strings.Replace(strconv.FormatFloat(*p, 'f', 1, 64), ".", ",", 1) + " %"
	},
	"num": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return strings.Replace(strconv.FormatFloat(*p, 'f', 1, 64), ".", ",", 1)
	},
	"change": func(p *float64) string {
		if p == nil {
			return "pas de comparaison possible"
		}
		sign := "+"
		if *p < 0 {
			sign = "−"
		}
		v := *p
		if v < 0 {
			v = -v
		}
		return sign + strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) + " % par rapport à la période précédente"
	},
}

// uiSLAClass is the colour class of an SLA status (always shown with its
// text label).
func uiSLAClass(v any) string {
	switch domain.SLAStatus(fmt.Sprint(v)) {
	case domain.SLADueSoon:
		return "sla-soon"
	case domain.SLATargetMissed:
		return "sla-target"
	case domain.SLAOverdue, domain.SLAMissed:
		return "sla-overdue"
	}
	return "sla-ok"
}
