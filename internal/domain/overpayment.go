package domain

import (
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"recours/internal/calendar"
)

// Overpayments (trop-perçus). A notice of an amount at or above the Caf's
// threshold (1,500 € by default) may not be sent before the officer has
// written an enriched explanation and tried to phone the claimant, within
// two working days; a smaller one goes out at once as a standard notice.

// DefaultOverpaymentThresholdCents is the national threshold: 1,500 €.
const DefaultOverpaymentThresholdCents = 150000

// OverpaymentCallDays is the number of working days the officer has to
// try to phone the claimant about a large overpayment.
const OverpaymentCallDays = 2

// OverpaymentStatus is where an overpayment notice stands.
type OverpaymentStatus string

// Overpayment statuses.
const (
	// OverpaymentPending: a large notice waits for its explanation and
	// the phone attempt.
	OverpaymentPending OverpaymentStatus = "pending"
	// OverpaymentReady: both are recorded; the officer may send it.
	OverpaymentReady OverpaymentStatus = "ready"
	// OverpaymentSent: the notice went to the claimant.
	OverpaymentSent OverpaymentStatus = "sent"
)

// Call results.
const (
	CallReached    = "reached"
	CallNotReached = "not_reached"
	CallNoNumber   = "no_number"
)

// CallResults lists the results of a phone attempt.
var CallResults = []string{CallReached, CallNotReached, CallNoNumber}

// Overpayment actions.
const (
	OverpaymentExplain    = "explain"
	OverpaymentRecordCall = "record_call"
	OverpaymentSend       = "send"
)

// Explanation is the enriched explanation of a large overpayment: every
// part is required.
type Explanation struct {
	Cause        string `json:"cause" text:"lines"`
	Period       string `json:"period" text:"lines"`
	Computation  string `json:"computation" text:"lines"`
	Contest      string `json:"contest" text:"lines"`
	Repayment    string `json:"repayment" text:"lines"`
	RightToError string `json:"right_to_error" text:"lines"`
}

// explanationParts names each part of an explanation in French.
var explanationParts = []struct {
	field, label string
	get          func(Explanation) string
}{
	{"cause", "la cause du trop-perçu", func(e Explanation) string { return e.Cause }},
	{"period", "la période concernée", func(e Explanation) string { return e.Period }},
	{"computation", "le calcul du montant", func(e Explanation) string { return e.Computation }},
	{"contest", "comment contester", func(e Explanation) string { return e.Contest }},
	{"repayment", "comment rembourser", func(e Explanation) string { return e.Repayment }},
	{"right_to_error", "le droit à l'erreur", func(e Explanation) string { return e.RightToError }},
}

// Validate checks that every part is written (20 characters at least, so
// a word or two is not taken for an explanation).
func (e Explanation) Validate(prefix string, p *Problems) {
	for _, part := range explanationParts {
		v := strings.TrimSpace(part.get(e))
		switch {
		case v == "":
			p.Add(prefix+part.field, "partie obligatoire de l'explication : "+part.label)
		case len([]rune(v)) < 20:
			p.Add(prefix+part.field, "trop court (20 caractères au moins) : "+part.label)
		case len(v) > 4000:
			p.Add(prefix+part.field, "texte trop long")
		}
	}
}

// CallAttempt is the officer's phone attempt.
type CallAttempt struct {
	Result string    `json:"result"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Note   string    `json:"note,omitempty"`
}

// NewOverpayment is the request to notify an overpayment.
type NewOverpayment struct {
	Caf         string       `json:"caf"`
	Claimant    Claimant     `json:"claimant"`
	Benefit     Benefit      `json:"benefit"`
	PeriodStart string       `json:"period_start"`
	PeriodEnd   string       `json:"period_end"`
	Amount      Amount       `json:"amount"` // euros, at most two decimals: 1500.00 or "1500.00"
	Cause       string       `json:"cause" text:"lines"`
	Explanation *Explanation `json:"explanation,omitempty"`
}

// amountShape is a number of euros: digits, then at most two decimals.
var amountShape = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,2})?$`)

// Amount is an amount in euros as the request wrote it: a JSON number
// (1500.5) or a string ("1500,50"); ParseAmount checks it.
type Amount string

// UnmarshalJSON keeps the number's or the string's text.
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Amount(s)
		return nil
	}
	if string(b) == "null" {
		*a = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("le montant doit être un nombre")
	}
	*a = Amount(n)
	return nil
}

// ParseAmount reads an amount in euros ("1500", "1499.99", "1 500,00")
// as cents; it refuses negative, zero, non-numeric amounts and more than
// two decimals.
func ParseAmount(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(strings.TrimSpace(s))
	if !amountShape.MatchString(s) {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return 0, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i-1 > 2 {
		return 0, false
	}
	cents := new(big.Rat).Mul(r, big.NewRat(100, 1))
	if !cents.IsInt() || !cents.Num().IsInt64() || cents.Num().Int64() > 100_000_000_00 {
		return 0, false
	}
	return cents.Num().Int64(), true
}

// FormatCents writes cents as French euros: "1 500,00 €".
func FormatCents(c int64) string {
	units, rest := c/100, c%100
	digits := []byte(big.NewInt(units).String())
	var out []byte
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			out = append(out, "\u202f"...)
		}
		out = append(out, d)
	}
	frac := []byte{byte('0' + rest/10), byte('0' + rest%10)}
	return string(out) + "," + string(frac) + "\u00a0€"
}

// Validate checks the request; the amount's cents are returned.
func (n NewOverpayment) Validate(now time.Time) (int64, error) {
	var p Problems
	if !ValidCafCode(n.Caf) {
		p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
	}
	validateClaimant(&p, n.Claimant)
	if !n.Benefit.Valid() {
		p.Add("benefit", "prestation inconnue")
	}
	start, errStart := time.Parse(time.DateOnly, n.PeriodStart)
	end, errEnd := time.Parse(time.DateOnly, n.PeriodEnd)
	if errStart != nil {
		p.Add("period_start", "date invalide (AAAA-MM-JJ)")
	}
	if errEnd != nil {
		p.Add("period_end", "date invalide (AAAA-MM-JJ)")
	}
	if errStart == nil && errEnd == nil {
		if end.Before(start) {
			p.Add("period_end", "la fin de la période précède son début")
		}
		if end.After(now.AddDate(0, 0, 1)) {
			p.Add("period_end", "la période ne peut pas être dans le futur")
		}
	}
	cents, ok := ParseAmount(string(n.Amount))
	if !ok {
		p.Add("amount", "montant invalide : un nombre positif en euros, deux décimales au plus (1500.00)")
	}
	textField(&p, "cause", n.Cause, 2000)
	CheckText(&p, "", n)
	if n.Explanation != nil {
		n.Explanation.Validate("explanation.", &p)
	}
	return cents, p.Err()
}

// Overpayment is an overpayment notice as the API shows it: the state its
// workflow owns.
type Overpayment struct {
	ID             string            `json:"id"`
	Caf            string            `json:"caf"`
	Claimant       Claimant          `json:"claimant"`
	Benefit        Benefit           `json:"benefit"`
	PeriodStart    string            `json:"period_start"`
	PeriodEnd      string            `json:"period_end"`
	AmountCents    int64             `json:"amount_cents"`
	Cause          string            `json:"cause"`
	ThresholdCents int64             `json:"threshold_cents"`
	Large          bool              `json:"large"`
	Status         OverpaymentStatus `json:"status"`
	Explanation    *Explanation      `json:"explanation,omitempty"`
	Call           *CallAttempt      `json:"call,omitempty"`
	CallDueAt      *time.Time        `json:"call_due_at,omitempty"`
	ReminderAt     *time.Time        `json:"reminder_at,omitempty"`
	RemindedAt     *time.Time        `json:"reminded_at,omitempty"`
	CallMissedAt   *time.Time        `json:"call_missed_at,omitempty"`
	SentAt         *time.Time        `json:"sent_at,omitempty"`
	Delivery       *MessageOutcome   `json:"delivery,omitempty"`
	CreatedBy      string            `json:"created_by"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	Events         []Event           `json:"events"`
}

// NewOverpaymentNotice builds the first state of a notice: large when the
// amount is at or above the threshold, with the call due two working days
// from now and a reminder one working day from now.
func NewOverpaymentNotice(id string, n NewOverpayment, cents, threshold int64, actor string, now time.Time) Overpayment {
	if threshold <= 0 {
		threshold = DefaultOverpaymentThresholdCents
	}
	o := Overpayment{
		ID: id, Caf: n.Caf, Claimant: n.Claimant, Benefit: n.Benefit, PeriodStart: n.PeriodStart,
		PeriodEnd: n.PeriodEnd, AmountCents: cents, Cause: strings.TrimSpace(n.Cause), ThresholdCents: threshold,
		Large: cents >= threshold, Status: OverpaymentPending, Explanation: n.Explanation,
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now,
	}
	if !o.Large {
		o.Status = OverpaymentReady
	}
	o.event(now, actor, "created", map[string]any{"amount_cents": cents, "large": o.Large})
	if o.Large {
		due := calendar.AddDays(now, OverpaymentCallDays, calendar.WorkingDays)
		remind := calendar.AddDays(now, OverpaymentCallDays-1, calendar.WorkingDays)
		o.CallDueAt, o.ReminderAt = &due, &remind
		if o.Explanation != nil {
			o.event(now, actor, OverpaymentExplain, nil)
		}
	}
	return o
}

func (o *Overpayment) event(now time.Time, actor, action string, details map[string]any) {
	o.Events = append(o.Events, Event{Seq: int64(len(o.Events) + 1), At: now, Actor: actor, Action: action, Details: details})
	o.UpdatedAt = now
}

// Missing lists, in French, what a large notice still needs before it may
// be sent.
func (o *Overpayment) Missing() []string {
	if !o.Large {
		return nil
	}
	var m []string
	if o.Explanation == nil {
		m = append(m, "l'explication détaillée")
	}
	if o.Call == nil {
		m = append(m, "la tentative d'appel de l'allocataire")
	}
	return m
}

// OverpaymentArgs are the arguments of an action on a notice.
type OverpaymentArgs struct {
	Explanation *Explanation `json:"explanation,omitempty"`
	CallResult  string       `json:"result,omitempty"`
	Note        string       `json:"note,omitempty" text:"lines"`
}

// CheckOverpayment says whether actor may do action on o now.
func (o *Overpayment) Check(action string, args OverpaymentArgs) error {
	if o.Status == OverpaymentSent {
		return Errorf(ECONFLICT, "la notification a déjà été envoyée")
	}
	var p Problems
	switch action {
	case OverpaymentExplain:
		if args.Explanation == nil {
			p.Add("explanation", "champ obligatoire")
		} else {
			args.Explanation.Validate("explanation.", &p)
		}
	case OverpaymentRecordCall:
		if !slices.Contains(CallResults, args.CallResult) {
			p.Add("result", "résultat inconnu (reached, not_reached ou no_number)")
		}
		if len(args.Note) > 2000 {
			p.Add("note", "texte trop long")
		}
	case OverpaymentSend:
		if m := o.Missing(); len(m) > 0 {
			return Errorf(ECONFLICT, "la notification d'un trop-perçu de %s ou plus ne peut pas partir avant %s",
				FormatCents(o.ThresholdCents), strings.Join(m, " et "))
		}
	default:
		return Errorf(ENOTFOUND, "action inconnue : %s", action)
	}
	CheckText(&p, "", args)
	return p.Err()
}

// Apply performs a checked action.
func (o *Overpayment) Apply(now time.Time, actor, action string, args OverpaymentArgs) error {
	if err := o.Check(action, args); err != nil {
		return err
	}
	switch action {
	case OverpaymentExplain:
		e := *args.Explanation
		o.Explanation = &e
		o.event(now, actor, action, nil)
	case OverpaymentRecordCall:
		o.Call = &CallAttempt{Result: args.CallResult, At: now, By: actor, Note: strings.TrimSpace(args.Note)}
		o.event(now, actor, action, map[string]any{"result": args.CallResult})
	case OverpaymentSend:
		o.event(now, actor, action, nil)
	}
	if o.Status == OverpaymentPending && len(o.Missing()) == 0 {
		o.Status = OverpaymentReady
	}
	return nil
}

// Remind records the reminder sent when the call is still not recorded a
// working day in; it notifies the author.
func (o *Overpayment) Remind(now time.Time) []Notification {
	o.RemindedAt = &now
	o.event(now, System, "reminder", map[string]any{"missing": o.Missing()})
	return []Notification{{Recipient: o.CreatedBy, Kind: "overpayment_reminder",
		Message: "Trop-perçu de " + FormatCents(o.AmountCents) + " : il reste à enregistrer " + strings.Join(o.Missing(), " et ") +
			" avant le " + o.CallDueAt.In(calendar.Paris).Format("02/01/2006")}}
}

// MissCall records that the two working days passed without the
// explanation and the call; the managers hear of it.
func (o *Overpayment) MissCall(now time.Time) []Notification {
	o.CallMissedAt = &now
	o.event(now, System, "call_deadline_missed", map[string]any{"missing": o.Missing()})
	return []Notification{
		{Recipient: o.CreatedBy, Kind: "overpayment_overdue", Message: "Trop-perçu de " + FormatCents(o.AmountCents) + " : le délai de deux jours ouvrés est dépassé"},
		{Recipient: RoleRecipient(RoleManager), Kind: "overpayment_overdue", Message: "Trop-perçu de " + FormatCents(o.AmountCents) + " : le délai de deux jours ouvrés est dépassé"},
	}
}

// Delivered records the notice's delivery.
func (o *Overpayment) Delivered(now time.Time, out MessageOutcome) []Notification {
	o.Delivery = &out
	details := map[string]any{"channel": out.Channel, "status": out.Status, "key": out.Key}
	if out.Status == MessageSent {
		o.Status, o.SentAt = OverpaymentSent, &now
		o.event(now, System, EventMessageSent, details)
		return nil
	}
	if out.Error != "" {
		details["error"] = out.Error
	}
	o.event(now, System, EventMessageFailed, details)
	return []Notification{{Recipient: o.CreatedBy, Kind: ReachClaimantTask,
		Message: "Impossible de remettre " + MessageLabels["overpayment_notice"] + " à l'allocataire : joignez-le par un autre moyen"}}
}

// Clone returns a copy of the notice that shares no event list with o; its
// other parts are replaced, never edited, by the actions.
func (o Overpayment) Clone() Overpayment {
	o.Events = slices.Clone(o.Events)
	return o
}
