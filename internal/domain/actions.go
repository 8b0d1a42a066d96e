package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"recours/internal/calendar"
)

// Action is something a user does to a file.
type Action string

// Complaint actions.
const (
	ActionAssign            Action = "assign"
	ActionStart             Action = "start"
	ActionRequestDocuments  Action = "request_documents"
	ActionDocumentsReceived Action = "documents_received"
	ActionAnswer            Action = "answer"
	ActionClose             Action = "close"
	ActionReopen            Action = "reopen"
	ActionWithdraw          Action = "withdraw"
	ActionEscalate          Action = "escalate"
)

// Mediation actions. FollowUp (a Défenseur des droits follow-up) and
// LinkReferral (the referral that followed refer_to_ddd arrived) are
// done by the system for the liaison API, not through /actions.
const (
	ActionAdmit          Action = "admit"
	ActionReorient       Action = "reorient"
	ActionRequestOpinion Action = "request_opinion"
	ActionRecordOpinion  Action = "record_opinion"
	ActionDecide         Action = "decide"
	ActionCourtCaseFiled Action = "court_case_filed"
	ActionReferToDDD     Action = "refer_to_ddd"
	ActionFollowUp       Action = "follow_up"
	ActionLinkReferral   Action = "link_referral"
)

// ActionArgs carries the arguments of every action; each action reads the
// fields its rule names and no other.
type ActionArgs struct {
	Assignee           string `json:"assignee,omitempty"`
	Note               string `json:"note,omitempty" text:"lines"`
	Documents          string `json:"documents,omitempty" text:"lines"`
	Answer             string `json:"answer,omitempty" text:"lines"`
	Reason             string `json:"reason,omitempty" text:"lines"`
	PriorContactCaseID string `json:"prior_contact_case_id,omitempty"`
	NoCourtCase        *bool  `json:"no_court_case,omitempty"`
	Service            string `json:"service,omitempty"`
	Question           string `json:"question,omitempty" text:"lines"`
	DueInDays          int    `json:"due_in_days,omitempty"`
	OpinionID          string `json:"opinion_id,omitempty"`
	Text               string `json:"text,omitempty" text:"lines"`
	Outcome            string `json:"outcome,omitempty"`
	Explanation        string `json:"explanation,omitempty" text:"lines"`
	Court              string `json:"court,omitempty"`
	FiledOn            string `json:"filed_on,omitempty"`
	DDDReference       string `json:"ddd_reference,omitempty"`
	Kind               string `json:"kind,omitempty"`
	ResponseExpectedBy string `json:"response_expected_by,omitempty"`
	ReferralID         string `json:"referral_id,omitempty"`
	// LinkedID is the file an action opens (escalate, reorient): its id
	// is drawn by the workflow, never sent by a client.
	LinkedID string `json:"linked_id,omitempty"`
	// LinkedReference is the reference of the file it opens, drawn by the
	// service before the action is sent (the workflow draws nothing from
	// the store), never sent by a client.
	LinkedReference string `json:"linked_reference,omitempty"`
	// Field and Value are what correct sets; Caf where transfer moves the
	// file; Into the file merge merges it into.
	Field string `json:"field,omitempty"`
	Value string `json:"value,omitempty" text:"lines"`
	Caf   string `json:"caf,omitempty"`
	Into  string `json:"into,omitempty"`
}

type rule struct {
	from     []Status
	required []string // argument fields, all required
	optional []string
	system   bool // done by the system, not through /actions
}

var openComplaint = []Status{StatusOpen, StatusAssigned, StatusInProgress, StatusAwaitingClaimant}

var rules = map[Kind]map[Action]rule{
	KindComplaint: {
		ActionAssign: {from: openComplaint, required: []string{"assignee"}},
		ActionStart:  {from: []Status{StatusAssigned}},
		// Its arguments depend on the file's counting (Case.ValidateArgs).
		ActionRequestDocuments:  {from: []Status{StatusInProgress}, optional: []string{"documents", "due_in_days", "note"}},
		ActionDocumentsReceived: {from: []Status{StatusAwaitingClaimant}},
		ActionAnswer:            {from: []Status{StatusInProgress}, required: []string{"answer"}},
		ActionClose:             {from: []Status{StatusAnswered}},
		ActionReopen:            {from: []Status{StatusAnswered, StatusClosed}, required: []string{"reason"}},
		ActionWithdraw:          {from: openComplaint, required: []string{"reason"}},
		// Also from an open complaint past its legal limit (see Check).
		ActionEscalate: {from: []Status{StatusAnswered, StatusClosed}, required: []string{"reason"}},
		ActionCorrect:  {from: complaintNotMerged, required: []string{"field", "value", "reason"}},
		ActionTransfer: {from: openComplaint, required: []string{"caf", "reason"}},
		ActionMerge:    {from: openComplaint, required: []string{"into", "reason"}},
	},
	KindMediation: {
		ActionAdmit:          {from: []Status{StatusReceived}, required: []string{"no_court_case"}, optional: []string{"prior_contact_case_id"}},
		ActionReorient:       {from: []Status{StatusReceived}, required: []string{"reason"}},
		ActionRequestOpinion: {from: []Status{StatusAdmitted, StatusInStudy, StatusAwaitingOpinion}, required: []string{"service", "question"}, optional: []string{"due_in_days"}},
		ActionRecordOpinion:  {from: []Status{StatusAwaitingOpinion}, required: []string{"opinion_id", "text"}},
		ActionDecide:         {from: []Status{StatusAdmitted, StatusInStudy}, required: []string{"outcome", "explanation"}},
		ActionClose:          {from: []Status{StatusDecided}},
		ActionCourtCaseFiled: {from: []Status{StatusReceived, StatusAdmitted, StatusInStudy, StatusAwaitingOpinion, StatusDecided}, required: []string{"court", "filed_on"}},
		ActionReferToDDD:     {from: []Status{StatusDecided, StatusClosed}, required: []string{"ddd_reference"}},
		// After the answer too, under CountingFollowUps (checkMediation).
		ActionFollowUp: {from: append(slices.Clone(openMediation), StatusDecided, StatusClosed),
			required: []string{"kind", "response_expected_by"}, optional: []string{"note"}, system: true},
		ActionLinkReferral: {from: []Status{StatusReferredToDDD}, required: []string{"referral_id"}, system: true},
		ActionCorrect:      {from: mediationNotMerged, required: []string{"field", "value", "reason"}},
		ActionTransfer:     {from: openMediation, required: []string{"caf", "reason"}},
		ActionMerge:        {from: openMediation, required: []string{"into", "reason"}},
	},
}

// A correction is taken in every status but merged.
var (
	complaintNotMerged = []Status{StatusOpen, StatusAssigned, StatusInProgress, StatusAwaitingClaimant, StatusAnswered,
		StatusClosed, StatusWithdrawn, StatusEscalated}
	mediationNotMerged = []Status{StatusReceived, StatusAdmitted, StatusInStudy, StatusAwaitingOpinion, StatusDecided,
		StatusClosed, StatusReoriented, StatusReferredToDDD}
)

var actionOrder = map[Kind][]Action{
	KindComplaint: {ActionAssign, ActionStart, ActionRequestDocuments, ActionDocumentsReceived,
		ActionAnswer, ActionClose, ActionReopen, ActionWithdraw, ActionEscalate, ActionCorrect, ActionTransfer, ActionMerge},
	KindMediation: {ActionAdmit, ActionReorient, ActionRequestOpinion, ActionRecordOpinion,
		ActionDecide, ActionClose, ActionCourtCaseFiled, ActionReferToDDD, ActionFollowUp, ActionLinkReferral,
		ActionCorrect, ActionTransfer, ActionMerge},
}

// ComplaintActions lists the actions on a complaint, in the contract's order.
var ComplaintActions = actionOrder[KindComplaint]

// Actions lists every action on a kind of file, the system's included:
// each is an update of the file's workflow.
func Actions(k Kind) []Action { return actionOrder[k] }

// Public reports whether users may ask for a on a file of kind k through
// the API's /actions.
func (k Kind) Public(a Action) bool {
	r, ok := rules[k][a]
	return ok && !r.system
}

// IsAction reports whether a is an action users may ask for on some kind
// of file.
func IsAction(a Action) bool { return KindComplaint.Public(a) || KindMediation.Public(a) }

// IsComplaintAction reports whether a is an action on complaints.
func IsComplaintAction(a Action) bool { return KindComplaint.Public(a) }

// Fields lists the argument fields action a accepts on a complaint.
func (a Action) Fields() []string { return Fields(KindComplaint, a) }

// Fields lists the argument fields action a accepts on a file of kind k.
func Fields(k Kind, a Action) []string {
	r := rules[k][a]
	return append(slices.Clone(r.required), r.optional...)
}

// MinAnswer is the shortest answer a claimant can be sent: a sentence.
const MinAnswer = 20

// MinExplanation is the shortest explanation of a mediation's outcome: a
// few sentences written for the claimant.
const MinExplanation = 50

func (a ActionArgs) field(name string) string {
	switch name {
	case "assignee":
		return a.Assignee
	case "note":
		return a.Note
	case "documents":
		return a.Documents
	case "answer":
		return a.Answer
	case "reason":
		return a.Reason
	case "prior_contact_case_id":
		return a.PriorContactCaseID
	case "no_court_case":
		if a.NoCourtCase == nil {
			return ""
		}
		return "set"
	case "service":
		return a.Service
	case "question":
		return a.Question
	case "due_in_days":
		if a.DueInDays == 0 {
			return ""
		}
		return "set"
	case "opinion_id":
		return a.OpinionID
	case "text":
		return a.Text
	case "outcome":
		return a.Outcome
	case "explanation":
		return a.Explanation
	case "court":
		return a.Court
	case "filed_on":
		return a.FiledOn
	case "ddd_reference":
		return a.DDDReference
	case "kind":
		return a.Kind
	case "response_expected_by":
		return a.ResponseExpectedBy
	case "referral_id":
		return a.ReferralID
	case "field":
		return a.Field
	case "value":
		return a.Value
	case "caf":
		return a.Caf
	case "into":
		return a.Into
	}
	return ""
}

// ValidateArgs checks the arguments of action a on a file of kind k,
// whatever the file's state; now bounds the dates.
func ValidateArgs(k Kind, a Action, args ActionArgs, now time.Time) error {
	r, ok := rules[k][a]
	if !ok {
		return Errorf(ENOTFOUND, "action inconnue : %s", a)
	}
	var p Problems
	for _, f := range r.required {
		if strings.TrimSpace(args.field(f)) == "" {
			p.Add(f, "champ obligatoire")
		}
	}
	for _, f := range Fields(k, a) {
		if utf8.RuneCountInString(strings.TrimSpace(args.field(f))) > MaxNote {
			p.Add(f, "texte trop long")
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(args.Answer)); a == ActionAnswer && n > 0 && n < MinAnswer {
		p.Add("answer", "la réponse doit expliquer la décision en une phrase au moins")
	}
	validateMediationArgs(&p, a, args, now)
	validateMoveArgs(&p, k, a, args)
	CheckText(&p, "", args)
	return p.Err()
}

// Check tells whether actor may do a to the file at now: the arguments,
// the state (ECONFLICT) and the object-level rule (EFORBIDDEN). It only
// reads, so it can serve as a Temporal update validator.
func (c *Case) Check(now time.Time, actor Actor, a Action, args ActionArgs) error {
	if err := c.ValidateArgs(now, a, args); err != nil {
		return err
	}
	if !slices.Contains(rules[c.Kind][a].from, c.Status) && !c.escalatableOpen(a) {
		return Errorf(ECONFLICT, "action %s impossible sur un dossier au statut %s", a, c.Status)
	}
	if a == ActionCorrect || a == ActionTransfer || a == ActionMerge {
		// Whoever may act on the file in its Caf (the policy says who),
		// assigned or not.
		return c.checkMove(a, args)
	}
	if c.Kind == KindMediation {
		return c.checkMediation(a, args)
	}
	// A benefits officer acts on the files assigned to them, or on the
	// unassigned files of their Caf; a manager on every file of the Caf.
	if !actor.Has(RoleManager) && c.Assignee != "" && c.Assignee != actor.Login {
		return Errorf(EFORBIDDEN, "ce dossier est attribué à un autre agent")
	}
	if a == ActionAssign && strings.TrimSpace(args.Assignee) == c.Assignee {
		return Errorf(ECONFLICT, "le dossier est déjà attribué à %s", c.Assignee)
	}
	return nil
}

// Change is what one step of a file produced: the event of its timeline
// and the queue entries it raised.
type Change struct {
	Event         Event
	Notifications []Notification
}

// escalatableOpen: a complaint still open past its legal limit may be
// escalated to mediation (the claimant had no answer in time).
func (c *Case) escalatableOpen(a Action) bool {
	if c.Kind != KindComplaint || a != ActionEscalate || !c.Status.Open() {
		return false
	}
	d, ok := c.Deadline(DeadlineLegal)
	return ok && d.Status == SLAMissed
}

// Apply checks then performs action a at now, and returns the change.
func (c *Case) Apply(now time.Time, actor Actor, a Action, args ActionArgs) (Change, error) {
	if err := c.Check(now, actor, a, args); err != nil {
		return Change{}, err
	}
	from := c.Status
	details := map[string]any{}
	var notes []Notification
	if c.Kind == KindMediation {
		notes = c.applyMediation(now, a, args, details)
	}
	if a == ActionCorrect || a == ActionTransfer || a == ActionMerge {
		notes = append(notes, c.applyMove(now, a, args, details)...)
	}
	switch a {
	case ActionAssign:
		assignee := strings.TrimSpace(args.Assignee)
		if c.Assignee != "" {
			details["previous_assignee"] = c.Assignee
		}
		details["assignee"] = assignee
		c.Assignee = assignee
		if c.Status == StatusOpen {
			c.Status = StatusAssigned
		}
		notes = append(notes, Notification{Recipient: assignee, Kind: "assigned", Message: "Un dossier vous est attribué"})
	case ActionStart:
		c.Status = StatusInProgress
	case ActionRequestDocuments:
		if note := strings.TrimSpace(args.Note); note != "" || !c.datedRequests() {
			details["note"] = note
		}
		if c.datedRequests() {
			c.requestDocuments(now, args, details)
		}
		c.Status = StatusAwaitingClaimant
		c.meet(DeadlineAcknowledgment, now)
		c.pause(now)
	case ActionDocumentsReceived:
		c.endDocumentsRequest(now, true, details)
		details["paused_seconds"] = c.resume(now)
		c.Status = StatusInProgress
	case ActionAnswer:
		c.Answer = strings.TrimSpace(args.Answer)
		c.answer(now)
		details["sla_status"] = c.SLAStatus
	case ActionClose:
		if c.Kind == KindComplaint {
			c.Status = StatusClosed
			c.ClosedAt = &now
		}
	case ActionReopen:
		details["reason"] = strings.TrimSpace(args.Reason)
		c.reopen(now)
	case ActionWithdraw:
		details["reason"] = strings.TrimSpace(args.Reason)
		if c.ClockPaused {
			c.resume(now)
		}
		c.Status = StatusWithdrawn
		c.ClosedAt = &now
	case ActionEscalate:
		details["reason"] = strings.TrimSpace(args.Reason)
		details["mediation_id"] = args.LinkedID
		if args.LinkedReference != "" {
			details["mediation_reference"] = args.LinkedReference
		}
		if c.ClockPaused {
			c.resume(now)
		}
		c.Status = StatusEscalated
		c.EscalatedTo = args.LinkedID
		c.ClosedAt = &now
	}
	c.UpdatedAt = now
	ev := Event{At: now, Actor: actor.Login, Action: string(a), FromStatus: from, ToStatus: c.Status}
	if len(details) > 0 {
		ev.Details = details
	}
	return Change{Event: ev, Notifications: notes}, nil
}

func (c *Case) answer(now time.Time) {
	c.Status = StatusAnswered
	c.AnsweredAt = &now
	for _, name := range []string{DeadlineAcknowledgment, DeadlineTarget, DeadlineLegal, DeadlineImplicitRejection} {
		c.meet(name, now)
	}
	c.SLAStatus = SLAMet
	if d, ok := c.Deadline(DeadlineLegal); ok && d.Status == SLAMissed {
		c.SLAStatus = SLAMissed
	}
	raw := calendarDays(c.ReceivedAt, now)
	adjusted := max(raw-c.PausedDays(), 0)
	c.ElapsedDaysRaw, c.ElapsedDaysAdjusted = &raw, &adjusted
}

// reopen puts an answered file back in study. Under CountingReopening the
// first answer is kept for the figures (FirstAnswer) and the file is given
// new service commitments and a new implicit rejection from the reopening,
// a new request of the claimant's; the files registered before keep the
// deadlines their first answer met.
func (c *Case) reopen(now time.Time) {
	if p := c.policy(); p.Counting >= CountingReopening {
		if c.FirstAnswer == nil && c.AnsweredAt != nil {
			c.FirstAnswer = &AnswerRecord{At: *c.AnsweredAt, ElapsedDays: c.ElapsedDaysAdjusted,
				ElapsedDaysRaw: c.ElapsedDaysRaw, SLAStatus: c.SLAStatus}
		}
		if c.ReopenedAt == nil {
			c.ReopenedAt = &now
		}
		c.Reopenings++
		for i := range c.Deadlines {
			d := &c.Deadlines[i]
			due, renew := time.Time{}, true
			switch d.Name {
			case DeadlineTarget:
				due = p.dueAfter(now, p.TargetDays)
			case DeadlineLegal:
				due = p.dueAfter(now, p.LegalDays)
			case DeadlineImplicitRejection:
				due = p.ImplicitRejectionDue(now)
			default:
				renew = false
			}
			if renew {
				d.DueAt, d.MetAt, d.Status = due, nil, SLAOnTime
			}
		}
		c.RemindedAt = nil
	}
	c.Status = StatusOpen
	if c.Assignee != "" {
		c.Status = StatusInProgress
	}
	c.AnsweredAt, c.ElapsedDaysRaw, c.ElapsedDaysAdjusted, c.ClosedAt = nil, nil, nil, nil
	c.Answer = ""
	c.SLAStatus = SLAOnTime
	if d, ok := c.Deadline(DeadlineLegal); ok && d.Status == SLAMissed {
		c.SLAStatus = SLAOverdue
	}
}

// pause stops the clock while the file waits for the claimant.
func (c *Case) pause(now time.Time) {
	c.ClockPaused = true
	c.PausedSince = &now
}

// resume restarts the clock and moves every pending deadline but the
// implicit rejection (no pause moves it) by the pause (Policy.shifted).
func (c *Case) resume(now time.Time) int64 {
	if !c.ClockPaused || c.PausedSince == nil {
		return 0
	}
	since, p := *c.PausedSince, c.policy()
	d := now.Sub(since)
	c.PausedSeconds += int64(d / time.Second)
	if p.Counting >= CountingCPC {
		c.PausedWholeDays += calendar.DaysBetween(since, now, calendar.CalendarDays)
	}
	for i := range c.Deadlines {
		dl := &c.Deadlines[i]
		if dl.Pending() && dl.Name != DeadlineImplicitRejection {
			dl.DueAt = p.shifted(dl.DueAt, since, now)
		}
	}
	c.ClockPaused, c.PausedSince = false, nil
	return int64(d / time.Second)
}

// argNames are the JSON names of every field of ActionArgs a client may
// send, in the struct's order (linked_id is drawn by the workflow).
var argNames = []string{"assignee", "note", "documents", "answer", "reason", "prior_contact_case_id", "no_court_case",
	"service", "question", "due_in_days", "opinion_id", "text", "outcome", "explanation", "court",
	"filed_on", "ddd_reference", "kind", "response_expected_by", "referral_id", "linked_id", "linked_reference", "field", "value", "caf", "into"}

// Given lists the fields set in args, by their JSON names.
func (a ActionArgs) Given() []string {
	var out []string
	for _, n := range argNames {
		if n == "linked_id" && a.LinkedID != "" || n == "linked_reference" && a.LinkedReference != "" || a.field(n) != "" {
			out = append(out, n)
		}
	}
	return out
}

// CheckFields refuses the fields of args that action a on a file of kind
// k does not take: each is named, and nothing else is checked.
func CheckFields(k Kind, a Action, args ActionArgs) error {
	var p Problems
	for _, f := range args.Given() {
		if !slices.Contains(Fields(k, a), f) {
			p.Add(f, "champ inconnu pour l'action "+string(a))
		}
	}
	return p.Err()
}
