package domain

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
)

// ActionArgs carries the arguments of every action; each action reads the
// fields its rule names and no other.
type ActionArgs struct {
	Assignee string `json:"assignee,omitempty"`
	Note     string `json:"note,omitempty"`
	Answer   string `json:"answer,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

type rule struct {
	from     []Status
	required []string // argument fields, all required
}

var complaintRules = map[Action]rule{
	ActionAssign:            {from: []Status{StatusOpen, StatusAssigned, StatusInProgress, StatusAwaitingClaimant}, required: []string{"assignee"}},
	ActionStart:             {from: []Status{StatusAssigned}},
	ActionRequestDocuments:  {from: []Status{StatusInProgress}, required: []string{"note"}},
	ActionDocumentsReceived: {from: []Status{StatusAwaitingClaimant}},
	ActionAnswer:            {from: []Status{StatusInProgress}, required: []string{"answer"}},
	ActionClose:             {from: []Status{StatusAnswered}},
	ActionReopen:            {from: []Status{StatusAnswered, StatusClosed}, required: []string{"reason"}},
	ActionWithdraw:          {from: []Status{StatusOpen, StatusAssigned, StatusInProgress, StatusAwaitingClaimant}, required: []string{"reason"}},
}

// ComplaintActions lists the actions on a complaint, in the contract's order.
var ComplaintActions = []Action{ActionAssign, ActionStart, ActionRequestDocuments,
	ActionDocumentsReceived, ActionAnswer, ActionClose, ActionReopen, ActionWithdraw}

// IsComplaintAction reports whether a is an action on complaints.
func IsComplaintAction(a Action) bool { _, ok := complaintRules[a]; return ok }

// Fields lists the argument fields action a accepts.
func (a Action) Fields() []string { return complaintRules[a].required }

// MinAnswer is the shortest answer a claimant can be sent: a sentence.
const MinAnswer = 20

func (a ActionArgs) field(name string) string {
	switch name {
	case "assignee":
		return a.Assignee
	case "note":
		return a.Note
	case "answer":
		return a.Answer
	case "reason":
		return a.Reason
	}
	return ""
}

// ValidateArgs checks the arguments of action a, whatever the file's state.
func ValidateArgs(a Action, args ActionArgs) error {
	r, ok := complaintRules[a]
	if !ok {
		return Errorf(ENOTFOUND, "action inconnue : %s", a)
	}
	var p Problems
	for _, f := range r.required {
		v := strings.TrimSpace(args.field(f))
		switch {
		case v == "":
			p.Add(f, "champ obligatoire")
		case utf8.RuneCountInString(v) > MaxNote:
			p.Add(f, "texte trop long")
		}
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(args.Answer)); a == ActionAnswer && n > 0 && n < MinAnswer {
		p.Add("answer", "la réponse doit expliquer la décision en une phrase au moins")
	}
	return p.Err()
}

// Check tells whether actor may do a to the file now: the arguments, the
// state (ECONFLICT) and the object-level rule (EFORBIDDEN). It only reads,
// so it can serve as a Temporal update validator.
func (c *Case) Check(actor Actor, a Action, args ActionArgs) error {
	if err := ValidateArgs(a, args); err != nil {
		return err
	}
	if !slices.Contains(complaintRules[a].from, c.Status) {
		return Errorf(ECONFLICT, "action %s impossible sur un dossier au statut %s", a, c.Status)
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

// Apply checks then performs action a at now, and returns the change.
func (c *Case) Apply(now time.Time, actor Actor, a Action, args ActionArgs) (Change, error) {
	if err := c.Check(actor, a, args); err != nil {
		return Change{}, err
	}
	from := c.Status
	details := map[string]any{}
	var notes []Notification
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
		details["note"] = strings.TrimSpace(args.Note)
		c.Status = StatusAwaitingClaimant
		c.meet(DeadlineAcknowledgment, now)
		c.pause(now)
	case ActionDocumentsReceived:
		details["paused_seconds"] = c.resume(now)
		c.Status = StatusInProgress
	case ActionAnswer:
		c.Answer = strings.TrimSpace(args.Answer)
		c.answer(now)
		details["sla_status"] = c.SLAStatus
	case ActionClose:
		c.Status = StatusClosed
		c.ClosedAt = &now
	case ActionReopen:
		details["reason"] = strings.TrimSpace(args.Reason)
		c.reopen()
	case ActionWithdraw:
		details["reason"] = strings.TrimSpace(args.Reason)
		if c.ClockPaused {
			c.resume(now)
		}
		c.Status = StatusWithdrawn
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
	adjusted := calendarDays(c.ReceivedAt.Add(time.Duration(c.PausedSeconds)*time.Second), now)
	c.ElapsedDaysRaw, c.ElapsedDaysAdjusted = &raw, &adjusted
}

// reopen puts an answered file back in study. The deadlines met by the
// first answer stay met: the figures count that answer.
func (c *Case) reopen() {
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
// implicit rejection (no pause moves it) by the paused time.
func (c *Case) resume(now time.Time) int64 {
	if !c.ClockPaused || c.PausedSince == nil {
		return 0
	}
	d := now.Sub(*c.PausedSince)
	c.PausedSeconds += int64(d / time.Second)
	for i := range c.Deadlines {
		dl := &c.Deadlines[i]
		if dl.Pending() && dl.Name != DeadlineImplicitRejection {
			dl.DueAt = dl.DueAt.Add(d)
		}
	}
	c.ClockPaused, c.PausedSince = false, nil
	return int64(d / time.Second)
}
