package domain

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"recours/internal/calendar"
)

// Mediation statuses (closed is shared with complaints).
const (
	StatusReceived        Status = "received"
	StatusAdmitted        Status = "admitted"
	StatusInStudy         Status = "in_study"
	StatusAwaitingOpinion Status = "awaiting_opinion"
	StatusDecided         Status = "decided"
	StatusReoriented      Status = "reoriented"
	StatusReferredToDDD   Status = "referred_to_ddd"
)

// MediationStatuses lists the statuses of a mediation file.
var MediationStatuses = []Status{StatusReceived, StatusAdmitted, StatusInStudy,
	StatusAwaitingOpinion, StatusDecided, StatusClosed, StatusReoriented, StatusReferredToDDD, StatusMerged}

var openMediation = []Status{StatusReceived, StatusAdmitted, StatusInStudy, StatusAwaitingOpinion}

// Origin is who asked for a mediation.
type Origin string

// OriginDDD is a referral of the Défenseur des droits.
const OriginDDD Origin = "defenseur_des_droits"

// Origins and outcomes, as in the contract.
var (
	Origins  = []Origin{"claimant", OriginDDD, "elected_official", "social_worker", "association", "internal", "other"}
	Outcomes = []string{"maintained", "revised", "partly_revised"}
)

// Valid reports whether o is a word of the vocabulary.
func (o Origin) Valid() bool { return slices.Contains(Origins, o) }

// Opinion statuses.
const (
	OpinionPending   = "pending"
	OpinionRecorded  = "recorded"
	OpinionExpired   = "expired"
	OpinionCancelled = "cancelled"
)

// Follow-up kinds a liaison may send on a referral (loi organique
// 2011-333): a request for explanations (art. 18), a formal notice after
// no answer (art. 21), recommendations, whose follow-up the Caf reports on
// by the date the Défenseur des droits sets (art. 25).
var FollowUpKinds = []string{"explanation_request", "formal_notice", "recommendation"}

// DefaultOpinionDays is a service's time to give its opinion, unless said.
const DefaultOpinionDays = 8

// AppealSuspension is the window during which the claimant's appeal
// deadlines are suspended: from admission to the mediator's decision
// (CSS L217-7-1).
type AppealSuspension struct {
	From  time.Time  `json:"from"`
	Until *time.Time `json:"until"`
}

// CourtCase records the court case that ended a mediation.
type CourtCase struct {
	Court   string `json:"court"`
	FiledOn string `json:"filed_on"`
}

// FollowUp is a Défenseur des droits follow-up on its referral.
type FollowUp struct {
	Kind               string    `json:"kind"`
	ResponseExpectedBy string    `json:"response_expected_by"`
	Note               string    `json:"note,omitempty" text:"lines"`
	ReceivedAt         time.Time `json:"received_at"`
	// AnsweredAt is the decision that answered it (for a recommendation,
	// the report on its follow-up), under CountingFollowUps.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	// AfterAnswer says it came once the Caf had answered.
	AfterAnswer bool `json:"after_answer,omitempty"`
}

// NewMediation is a request for mediation.
type NewMediation struct {
	Caf           string   `json:"caf"`
	Claimant      Claimant `json:"claimant"`
	Origin        Origin   `json:"origin"`
	Benefit       Benefit  `json:"benefit"`
	Reason        Reason   `json:"reason"`
	Subject       string   `json:"subject"`
	Description   string   `json:"description" text:"lines"`
	RelatedCaseID string   `json:"related_case_id,omitempty"`
	// OverpaymentID links the request to the overpayment notice it disputes.
	OverpaymentID string `json:"overpayment_id,omitempty"`
	// ReceivedAt is when the request reached the Caf, when it is
	// registered later (a letter); now when absent.
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	// DecisionNotifiedOn is when the contested decision was notified, if
	// the claimant says (YYYY-MM-DD).
	DecisionNotifiedOn string `json:"decision_notified_on,omitempty"`
	// ConfirmDuplicate registers the request although the claimant has an
	// open mediation of the same benefit and reason (see DuplicateError).
	ConfirmDuplicate bool `json:"confirm_duplicate,omitempty"`
}

// Validate checks a request for mediation; now bounds received_at and
// decision_notified_on.
func (n NewMediation) Validate(now time.Time) error {
	var p Problems
	n.common(&p, now)
	textField(&p, "description", n.Description, MaxDescription)
	if !n.Origin.Valid() {
		p.Add("origin", "origine inconnue")
	}
	CheckText(&p, "", n)
	return p.Err()
}

func (n NewMediation) common(p *Problems, now time.Time) {
	if !ValidCafCode(n.Caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	validateClaimant(p, n.Claimant)
	if !n.Benefit.Valid() {
		p.Add("benefit", "prestation inconnue")
	}
	if !n.Reason.Valid() {
		p.Add("reason", "motif inconnu")
	}
	textField(p, "subject", n.Subject, MaxSubject)
	receivedAt(p, n.ReceivedAt, now)
	decisionNotified(p, n.DecisionNotifiedOn, now)
}

// NewReferral is a referral of the Défenseur des droits.
type NewReferral struct {
	DDDReference       string   `json:"ddd_reference"`
	Caf                string   `json:"caf"`
	Claimant           Claimant `json:"claimant"`
	Benefit            Benefit  `json:"benefit"`
	Reason             Reason   `json:"reason"`
	Subject            string   `json:"subject"`
	Facts              string   `json:"facts" text:"lines"`
	ResponseExpectedBy string   `json:"response_expected_by"`
	CallbackURL        string   `json:"callback_url,omitempty"`
	// ReceivedAt is when the referral reached the Caf, when it is
	// registered later; now when absent.
	ReceivedAt *time.Time `json:"received_at,omitempty"`
	// DecisionNotifiedOn is when the decision in question was notified to
	// the claimant, if known (YYYY-MM-DD).
	DecisionNotifiedOn string `json:"decision_notified_on,omitempty"`
}

// MaxReference bounds a Défenseur des droits reference.
const MaxReference = 64

// Validate checks a referral; now bounds the expected date, which must be
// after today; insecure allows an http callback (the embedded default).
func (n NewReferral) Validate(now time.Time, insecure bool) error {
	var p Problems
	NewMediation{Caf: n.Caf, Claimant: n.Claimant, Benefit: n.Benefit, Reason: n.Reason, Subject: n.Subject,
		ReceivedAt: n.ReceivedAt, DecisionNotifiedOn: n.DecisionNotifiedOn}.common(&p, now)
	textField(&p, "facts", n.Facts, MaxDescription)
	validReference(&p, "ddd_reference", n.DDDReference)
	expectedDate(&p, "response_expected_by", n.ResponseExpectedBy, now)
	if n.CallbackURL != "" {
		u, err := url.Parse(n.CallbackURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			p.Add("callback_url", "adresse de rappel invalide")
		case u.Scheme != "https" && !insecure:
			p.Add("callback_url", "l'adresse de rappel doit être en https")
		case u.User != nil:
			// The partner's secret signs each decision: a URL carries no
			// credentials, which agents would otherwise see.
			p.Add("callback_url", "l'adresse de rappel ne doit pas contenir d'identifiants (utilisateur:mot-de-passe@)")
		}
	}
	CheckText(&p, "", n)
	return p.Err()
}

func validReference(p *Problems, field, ref string) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(ref)); {
	case n == 0:
		p.Add(field, "champ obligatoire")
	case n > MaxReference:
		p.Add(field, "référence trop longue")
	}
}

// expectedDate checks a date the Défenseur des droits expects an answer
// by: YYYY-MM-DD, after today in Paris.
func expectedDate(p *Problems, field, date string, now time.Time) {
	if date == "" {
		p.Add(field, "champ obligatoire")
		return
	}
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Paris)
	switch {
	case err != nil:
		p.Add(field, "date attendue au format AAAA-MM-JJ")
	case !d.After(now):
		p.Add(field, "la date attendue doit être postérieure à aujourd'hui")
	}
}

// EndOfDay is the last instant of a YYYY-MM-DD date in Paris: a deadline
// given as a date runs until that day's end.
func EndOfDay(date string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Paris)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).Add(-time.Second).UTC(), nil
}

// NewMediationCase builds the first state of a mediation file; its
// deadlines are fixed now from the Caf's policy.
func NewMediationCase(id string, n NewMediation, now time.Time, p Policy) Case {
	p.Counting = CurrentCounting
	received := receipt(n.ReceivedAt, now)
	c := Case{
		ID: id, Kind: KindMediation, Caf: n.Caf, Status: StatusReceived, Claimant: n.Claimant,
		Origin: string(n.Origin), Benefit: n.Benefit, Reason: n.Reason,
		Subject: strings.TrimSpace(n.Subject), Description: strings.TrimSpace(n.Description),
		ParentID: n.RelatedCaseID, ReceivedAt: received, DecisionNotifiedOn: n.DecisionNotifiedOn,
		SLAStatus: SLAOnTime, Policy: &p, CreatedAt: now, UpdatedAt: now, OverpaymentID: n.OverpaymentID,
	}
	c.Deadlines = []Deadline{
		{Name: DeadlineAcknowledgment, DueAt: p.dueAfter(received, p.AcknowledgmentDays), Status: SLAOnTime},
		{Name: DeadlineTarget, DueAt: p.dueAfter(received, p.mediationTarget()), Status: SLAOnTime},
		{Name: DeadlineLegal, DueAt: p.dueAfter(received, p.mediationLegal()), Status: SLAOnTime},
	}
	return c
}

// NewReferralCase builds the mediation file a referral opens: its legal
// limit is the date the Défenseur des droits expects, its target 5 days
// before.
func NewReferralCase(id string, n NewReferral, partner string, now time.Time, p Policy) (Case, error) {
	c := NewMediationCase(id, NewMediation{Caf: n.Caf, Claimant: n.Claimant, Origin: OriginDDD,
		Benefit: n.Benefit, Reason: n.Reason, Subject: n.Subject, Description: n.Facts,
		ReceivedAt: n.ReceivedAt, DecisionNotifiedOn: n.DecisionNotifiedOn}, now, p)
	c.DDDReference = strings.TrimSpace(n.DDDReference)
	c.ResponseExpectedBy = n.ResponseExpectedBy
	c.CallbackURL = n.CallbackURL
	c.Partner = partner
	if err := c.expectBy(n.ResponseExpectedBy, now); err != nil {
		return c, err
	}
	return c, nil
}

// DDDTargetDaysBefore is how long before the Défenseur des droits' date
// the answer is aimed at.
const DDDTargetDaysBefore = 5

// expectBy sets the legal limit to the end of date and the target 5 days
// before (not before now), as pending deadlines.
func (c *Case) expectBy(date string, now time.Time) error {
	legal, err := EndOfDay(date)
	if err != nil {
		return Errorf(EINVALID, "date invalide : %s", date)
	}
	target := legal.In(calendar.Paris).AddDate(0, 0, -DDDTargetDaysBefore).UTC()
	if target.Before(now) {
		target = now
	}
	for i := range c.Deadlines {
		d := &c.Deadlines[i]
		switch d.Name {
		case DeadlineLegal:
			d.DueAt, d.Status, d.MetAt = legal, SLAOnTime, nil
		case DeadlineTarget:
			d.DueAt, d.Status, d.MetAt = target, SLAOnTime, nil
		}
	}
	c.ResponseExpectedBy = date
	c.RemindedAt = nil
	c.SLAStatus = SLAOnTime
	return nil
}

func (p Policy) mediationTarget() int {
	if p.MediationTargetDays > 0 {
		return p.MediationTargetDays
	}
	return 30
}

func (p Policy) mediationLegal() int {
	if p.MediationLegalDays > 0 {
		return p.MediationLegalDays
	}
	return 60
}

func (p Policy) opinionDays() int {
	if p.OpinionDays > 0 {
		return p.OpinionDays
	}
	return DefaultOpinionDays
}

func validateMediationArgs(p *Problems, a Action, args ActionArgs, now time.Time) {
	switch a {
	case ActionAdmit:
		if args.NoCourtCase != nil && !*args.NoCourtCase {
			p.Add("no_court_case", "une médiation n'est pas recevable quand une action en justice est en cours")
		}
	case ActionRequestOpinion:
		if args.DueInDays < 0 || args.DueInDays > 60 {
			p.Add("due_in_days", "entre 1 et 60 jours")
		}
	case ActionDecide:
		if args.Outcome != "" && !slices.Contains(Outcomes, args.Outcome) {
			p.Add("outcome", "issue inconnue (maintained, revised, partly_revised)")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(args.Explanation)); n > 0 && n < MinExplanation {
			p.Add("explanation", fmt.Sprintf("l'explication destinée à l'allocataire compte au moins %d caractères", MinExplanation))
		}
	case ActionCourtCaseFiled:
		if args.FiledOn != "" {
			d, err := time.ParseInLocation(time.DateOnly, args.FiledOn, calendar.Paris)
			if err != nil {
				p.Add("filed_on", "date attendue au format AAAA-MM-JJ")
			} else if d.After(now) {
				p.Add("filed_on", "la date de saisine ne peut pas être dans le futur")
			}
		}
	case ActionReferToDDD:
		if utf8.RuneCountInString(args.DDDReference) > MaxReference {
			p.Add("ddd_reference", "référence trop longue")
		}
	case ActionFollowUp:
		if args.Kind != "" && !slices.Contains(FollowUpKinds, args.Kind) {
			p.Add("kind", "type de relance inconnu (explanation_request, formal_notice, recommendation)")
		}
		if args.ResponseExpectedBy != "" {
			expectedDate(p, "response_expected_by", args.ResponseExpectedBy, now)
		}
	}
}

// checkMediation adds the rules that depend on the file's content.
func (c *Case) checkMediation(a Action, args ActionArgs) error {
	switch a {
	case ActionRecordOpinion:
		o := c.opinion(args.OpinionID)
		if o == nil {
			return &Error{Code: EINVALID, Message: "avis inconnu",
				Fields: []FieldError{{Field: "opinion_id", Message: "aucun avis demandé ne porte cet identifiant"}}}
		}
		if o.Status != OpinionPending {
			return Errorf(ECONFLICT, "cet avis est déjà %s", o.Status)
		}
	case ActionReferToDDD:
		if c.CourtCase != nil {
			return Errorf(ECONFLICT, "une médiation close par une action en justice ne peut être portée devant le Défenseur des droits")
		}
	case ActionFollowUp:
		if c.Origin != string(OriginDDD) {
			return Errorf(ECONFLICT, "seule une saisine du Défenseur des droits reçoit des relances")
		}
		if !slices.Contains(openMediation, c.Status) && c.policy().Counting < CountingFollowUps {
			return Errorf(ECONFLICT, "action follow_up impossible sur un dossier au statut %s", c.Status)
		}
	}
	return nil
}

func (c *Case) opinion(id string) *Opinion {
	for i := range c.Opinions {
		if c.Opinions[i].ID == id {
			return &c.Opinions[i]
		}
	}
	return nil
}

func (c *Case) pendingOpinions() int {
	n := 0
	for _, o := range c.Opinions {
		if o.Status == OpinionPending {
			n++
		}
	}
	return n
}

// applyMediation performs a mediation action (checked) and fills details.
func (c *Case) applyMediation(now time.Time, a Action, args ActionArgs, details map[string]any) []Notification {
	switch a {
	case ActionAdmit:
		c.Status = StatusAdmitted
		c.AdmittedAt = &now
		if c.Origin != string(OriginDDD) {
			// A Caf mediation suspends the claimant's recourse deadlines
			// (CSS L217-7-1); a referral to the Défenseur des droits
			// suspends none (loi organique 2011-333, art. 6).
			c.AppealSuspension = &AppealSuspension{From: now}
		}
		c.PriorContactCaseID = args.PriorContactCaseID
		c.meet(DeadlineAcknowledgment, now)
		if args.PriorContactCaseID != "" {
			details["prior_contact_case_id"] = args.PriorContactCaseID
		}
		details["no_court_case"] = true
	case ActionReorient:
		c.Status = StatusReoriented
		c.ReorientedTo = args.LinkedID
		c.ClosedAt, c.ClosedReason = &now, "reoriented"
		c.meet(DeadlineAcknowledgment, now)
		details["reason"] = strings.TrimSpace(args.Reason)
		details["complaint_id"] = args.LinkedID
		if args.LinkedReference != "" {
			details["complaint_reference"] = args.LinkedReference
		}
	case ActionRequestOpinion:
		days := args.DueInDays
		if days == 0 {
			days = c.policy().opinionDays()
		}
		o := Opinion{
			ID: fmt.Sprintf("op-%d", len(c.Opinions)+1), Service: strings.TrimSpace(args.Service),
			Question: strings.TrimSpace(args.Question), DueAt: c.policy().dueAfter(now, days),
			Status: OpinionPending,
		}
		c.Opinions = append(c.Opinions, o)
		c.Status = StatusAwaitingOpinion
		details["opinion_id"], details["service"], details["due_at"] = o.ID, o.Service, o.DueAt
	case ActionRecordOpinion:
		o := c.opinion(args.OpinionID)
		o.Status, o.Text, o.RecordedAt = OpinionRecorded, strings.TrimSpace(args.Text), &now
		if c.pendingOpinions() == 0 {
			c.Status = StatusInStudy
		}
		details["opinion_id"] = o.ID
	case ActionDecide:
		c.Status = StatusDecided
		c.Outcome, c.Explanation = args.Outcome, strings.TrimSpace(args.Explanation)
		c.DecidedAt = &now
		c.endSuspension(now)
		if c.policy().Counting >= CountingFollowUps {
			c.recordDecision(now)
		}
		for _, name := range []string{DeadlineAcknowledgment, DeadlineTarget, DeadlineLegal} {
			c.meet(name, now)
		}
		c.SLAStatus = SLAMet
		if d, ok := c.Deadline(DeadlineLegal); ok && d.Status == SLAMissed {
			c.SLAStatus = SLAMissed
		}
		details["outcome"] = c.Outcome
	case ActionClose:
		c.Status = StatusClosed
		c.ClosedAt, c.ClosedReason = &now, "decided"
	case ActionCourtCaseFiled:
		c.Status = StatusClosed
		c.CourtCase = &CourtCase{Court: strings.TrimSpace(args.Court), FiledOn: args.FiledOn}
		c.ClosedAt, c.ClosedReason = &now, "court_case_filed"
		c.endSuspension(now)
		for i := range c.Opinions {
			if c.Opinions[i].Status == OpinionPending {
				c.Opinions[i].Status = OpinionCancelled
			}
		}
		details["court"], details["filed_on"] = c.CourtCase.Court, c.CourtCase.FiledOn
	case ActionReferToDDD:
		c.Status = StatusReferredToDDD
		c.DDDReference = strings.TrimSpace(args.DDDReference)
		details["ddd_reference"] = c.DDDReference
	case ActionFollowUp:
		f := FollowUp{Kind: args.Kind, ResponseExpectedBy: args.ResponseExpectedBy,
			Note: strings.TrimSpace(args.Note), ReceivedAt: now}
		message := "Relance du Défenseur des droits : nouvelle échéance"
		if !slices.Contains(openMediation, c.Status) {
			// After the answer (CountingFollowUps): the referral is studied
			// again, to answer by the new date.
			f.AfterAnswer = true
			c.Status, c.ClosedAt, c.ClosedReason = StatusInStudy, nil, ""
			details["after_answer"] = true
			message = "Relance du Défenseur des droits après la réponse : à traiter avant la nouvelle échéance"
			if f.Kind == "recommendation" {
				message = "Recommandations du Défenseur des droits : rendre compte de leur suivi avant l'échéance"
			}
		}
		c.FollowUps = append(c.FollowUps, f)
		_ = c.expectBy(args.ResponseExpectedBy, now) // the date was validated
		details["kind"], details["response_expected_by"] = f.Kind, f.ResponseExpectedBy
		return []Notification{{Recipient: RoleRecipient(RoleMediator), Kind: "follow_up", Message: message}}
	case ActionLinkReferral:
		c.ReferralID = args.ReferralID
		details["referral_id"] = args.ReferralID
	}
	return nil
}

// recordDecision keeps the first decision for the figures, with the date
// in force when it was due: the first legal date that passed without an
// answer, else the one in force then (a follow-up after it cannot make a
// late answer timely); and marks the pending follow-ups answered.
func (c *Case) recordDecision(now time.Time) {
	if c.FirstDecision == nil {
		r := &AnswerRecord{At: now, SLAStatus: c.SLAStatus}
		if c.MissedDue != nil {
			due := *c.MissedDue
			r.DueAt = &due
		} else if d, ok := c.Deadline(DeadlineLegal); ok {
			due := d.DueAt
			r.DueAt = &due
		}
		c.FirstDecision = r
	}
	for i := range c.FollowUps {
		if c.FollowUps[i].AnsweredAt == nil {
			c.FollowUps[i].AnsweredAt = &now
		}
	}
}

// CountedDecision is the decision the figures count and the date it was
// judged against: the first decision under CountingFollowUps, the current
// one against the legal date otherwise.
func (c *Case) CountedDecision() (at, due *time.Time) {
	if r := c.FirstDecision; r != nil {
		at := r.At
		return &at, r.DueAt
	}
	if d, ok := c.Deadline(DeadlineLegal); ok {
		due := d.DueAt
		return c.DecidedAt, &due
	}
	return c.DecidedAt, nil
}

func (c *Case) endSuspension(now time.Time) {
	if c.AppealSuspension != nil && c.AppealSuspension.Until == nil {
		c.AppealSuspension.Until = &now
	}
}

// PolicyOrDefault is the policy the file was given, or the default one
// for a file that holds none.
func (c *Case) PolicyOrDefault() Policy { return c.policy() }

func (c *Case) policy() Policy {
	if c.Policy != nil {
		return *c.Policy
	}
	return DefaultPolicy()
}

// AskedAndAnsweredOrLate reports whether the file is a prior approach that
// makes a mediation admissible: the Caf answered it, or let its legal
// limit pass.
func (c *Case) AskedAndAnsweredOrLate() bool {
	if c.AnsweredAt != nil || c.DecidedAt != nil {
		return true
	}
	d, ok := c.Deadline(DeadlineLegal)
	return ok && d.Status == SLAMissed
}
