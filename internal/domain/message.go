package domain

import "time"

// Timeline actions of the messages written to the claimant.
const (
	EventMessageSent   = "message_sent"
	EventMessageFailed = "message_failed"
)

// Message delivery statuses, as the timeline records them.
const (
	MessageSent    = "sent"
	MessageFailed  = "failed"  // every attempt failed: the claimant was not reached
	MessageBounced = "bounced" // refused for good (no address, mailbox unknown)
)

// MessageOutcome is what became of one message to the claimant.
type MessageOutcome struct {
	Kind      string // acknowledgment, complaint_answer, …
	Key       string // idempotency key: the same message is never sent twice
	Channel   string // email, letter, sms, outbox
	Status    string // MessageSent, MessageFailed or MessageBounced
	Reference string // the Message-ID, the outbox files, the provider's answer
	Error     string // why it failed, without personal data
	SMS       string // the SMS complement's status, when one was sent
}

// MessageKind is the kind of a message to the claimant, one template each
// (internal/messages).
type MessageKind string

// Kinds of message.
const (
	MessageAcknowledgment    MessageKind = "acknowledgment"
	MessageComplaintAnswer   MessageKind = "complaint_answer"
	MessageMediationDecision MessageKind = "mediation_decision"
	MessageReorientation     MessageKind = "reorientation"
	MessageDDDReply          MessageKind = "ddd_reply"
	MessageOverpaymentNotice MessageKind = "overpayment_notice"
	// MessageAdmissibility tells the claimant their mediation request is
	// admissible: from its date their recourse deadlines are suspended
	// (CSS L217-7-1).
	MessageAdmissibility MessageKind = "admissibility"
	// MessageDocumentRequest asks the claimant for missing documents, with
	// the date to send them by and its effect on the deadlines (CRPA
	// L114-5); MessageDocumentReminder reminds them before that date.
	MessageDocumentRequest  MessageKind = "document_request"
	MessageDocumentReminder MessageKind = "document_reminder"
)

// MessageLabels names each kind of message in French, for the queues.
var MessageLabels = map[string]string{
	"acknowledgment":     "l'accusé de réception",
	"complaint_answer":   "la réponse à la réclamation",
	"mediation_decision": "les recommandations du médiateur",
	"admissibility":      "l'avis de recevabilité de la médiation",
	"document_request":   "la demande de pièces",
	"document_reminder":  "le rappel des pièces demandées",
	"reorientation":      "l'avis de réorientation",
	"ddd_reply":          "la réponse au Défenseur des droits",
	"overpayment_notice": "la notification de trop-perçu",
}

// ReachClaimantTask is the kind of the officer's task raised when a message
// could not reach the claimant.
const ReachClaimantTask = "reach_claimant"

// MessageDelivered records the outcome of a message on the file's
// timeline; it leaves UpdatedAt, which tells of the agents' changes. A sent acknowledgment meets the acknowledgment deadline; a
// message that could not be delivered raises a task for the assignee (the
// GCAs of the Caf when nobody is assigned, the mediators for a mediation
// file) to reach the claimant another way.
func (c *Case) MessageDelivered(now time.Time, o MessageOutcome) Change {
	details := map[string]any{"kind": o.Kind, "key": o.Key, "channel": o.Channel, "status": o.Status}
	if o.Reference != "" {
		details["reference"] = o.Reference
	}
	if o.SMS != "" {
		details["sms"] = o.SMS
	}
	ch := Change{Event: Event{At: now, Actor: System, Action: EventMessageSent,
		FromStatus: c.Status, ToStatus: c.Status, Details: details}}
	if o.Status == MessageSent {
		if o.Kind == "acknowledgment" {
			c.meet(DeadlineAcknowledgment, now)
		}
		return ch
	}
	ch.Event.Action = EventMessageFailed
	if o.Error != "" {
		details["error"] = o.Error
	}
	label := MessageLabels[o.Kind]
	if label == "" {
		label = "le message"
	}
	ch.Notifications = []Notification{{Recipient: c.taskRecipient(), Kind: ReachClaimantTask,
		Message: "Impossible de remettre " + label + " à l'allocataire : joignez-le par un autre moyen"}}
	return ch
}

// taskRecipient is who takes a task on the file: its assignee, else the
// role that works on files of its kind.
func (c *Case) taskRecipient() string {
	if c.Assignee != "" {
		return c.Assignee
	}
	if c.Kind == KindMediation {
		return RoleRecipient(RoleMediator)
	}
	return RoleRecipient(RoleGCA)
}
