package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Actions on any file that set right what was registered wrong: a field
// corrected, the file moved to the Caf it belongs to, a duplicate merged
// into the file it repeats.
const (
	ActionCorrect  Action = "correct"
	ActionTransfer Action = "transfer"
	ActionMerge    Action = "merge"
)

// StatusMerged is a file merged into the one it duplicated: closed, and
// counted in no figure.
const StatusMerged Status = "merged"

// CorrectableFields are the fields correct takes, by the API's names.
var CorrectableFields = []string{"benefit", "reason", "channel", "subject", "claimant.number", "claimant.name",
	"claimant.email", "claimant.phone", "claimant.address"}

// validateCorrection checks a correction's field and value as a
// registration would check them.
func validateCorrection(p *Problems, k Kind, args ActionArgs) {
	v := strings.TrimSpace(args.Value)
	// The value takes the text rules of the field it goes into (a name,
	// an address of several lines, one line elsewhere).
	kind := map[string]string{"claimant.name": "name", "claimant.address": "lines"}[args.Field]
	if msg := TextFault(args.Value, kind); msg != "" {
		p.Add("value", msg)
		return
	}
	switch args.Field {
	case "benefit":
		if !Benefit(v).Valid() {
			p.Add("value", "prestation inconnue")
		}
	case "reason":
		if !Reason(v).Valid() {
			p.Add("value", "motif inconnu")
		}
	case "channel":
		if k != KindComplaint {
			p.Add("field", "une médiation n'a pas de canal")
		} else if !Channel(v).Valid() {
			p.Add("value", "canal inconnu")
		}
	case "subject":
		if v == "" || utf8.RuneCountInString(v) > MaxSubject {
			p.Add("value", "objet d'une ligne, 200 caractères au plus")
		}
	case "claimant.number", "claimant.name", "claimant.email", "claimant.phone", "claimant.address":
		// Checked as a registration checks the claimant, the others' fields
		// left valid.
		c := Case{Claimant: Claimant{Number: "0000000"}}
		c.setField(args.Field, correctedValue(args))
		var all Problems
		validateClaimant(&all, c.Claimant)
		for _, fe := range all {
			if fe.Field == args.Field {
				p.Add("value", fe.Message)
			}
		}
	default:
		p.Add("field", "champ à corriger inconnu : "+strings.Join(CorrectableFields, ", "))
	}
}

// validateMoveArgs checks the arguments of correct, transfer and merge.
func validateMoveArgs(p *Problems, k Kind, a Action, args ActionArgs) {
	switch a {
	case ActionCorrect:
		if args.Field != "" {
			validateCorrection(p, k, args)
		}
	case ActionTransfer:
		if args.Caf != "" && !ValidCafCode(args.Caf) {
			p.Add("caf", "numéro de Caf attendu sur 3 chiffres")
		}
	}
}

// checkMove is what the state forbids of correct, transfer and merge.
func (c *Case) checkMove(a Action, args ActionArgs) error {
	switch a {
	case ActionCorrect:
		if c.field(args.Field) == correctedValue(args) {
			return Errorf(ECONFLICT, "le champ %s a déjà cette valeur", args.Field)
		}
	case ActionTransfer:
		if args.Caf == c.Caf {
			return Errorf(ECONFLICT, "le dossier est déjà dans la Caf %s", c.Caf)
		}
	case ActionMerge:
		if args.Into == c.ID {
			return Errorf(ECONFLICT, "un dossier ne peut pas être fusionné avec lui-même")
		}
	}
	return nil
}

// field is the value of a correctable field.
func (c *Case) field(name string) string {
	switch name {
	case "benefit":
		return string(c.Benefit)
	case "reason":
		return string(c.Reason)
	case "channel":
		return string(c.Channel)
	case "subject":
		return c.Subject
	case "claimant.number":
		return c.Claimant.Number
	case "claimant.name":
		return c.Claimant.Name
	case "claimant.email":
		return c.Claimant.Email
	case "claimant.phone":
		return c.Claimant.Phone
	case "claimant.address":
		return c.Claimant.Address
	}
	return ""
}

// setField sets a correctable field.
func (c *Case) setField(name, v string) {
	switch name {
	case "benefit":
		c.Benefit = Benefit(v)
	case "reason":
		c.Reason = Reason(v)
	case "channel":
		c.Channel = Channel(v)
	case "subject":
		c.Subject = v
	case "claimant.number":
		c.Claimant.Number = v
	case "claimant.name":
		c.Claimant.Name = v
	case "claimant.email":
		c.Claimant.Email = v
	case "claimant.phone":
		c.Claimant.Phone = v
	case "claimant.address":
		c.Claimant.Address = v
	}
}

// correctedValue is the value a correction writes, as a registration
// stores it.
func correctedValue(args ActionArgs) string {
	switch args.Field {
	case "claimant.number":
		return CleanClaimantNumber(args.Value)
	case "claimant.address":
		return strings.Join(AddressLines(args.Value), "\n")
	}
	return strings.TrimSpace(args.Value)
}

// applyMove performs correct, transfer or merge; the timeline keeps the
// old value and the new, the Cafs, the file merged into, and why.
func (c *Case) applyMove(now time.Time, a Action, args ActionArgs, details map[string]any) []Notification {
	details["reason"] = strings.TrimSpace(args.Reason)
	switch a {
	case ActionCorrect:
		v := correctedValue(args)
		details["field"], details["old"], details["new"] = args.Field, c.field(args.Field), v
		c.setField(args.Field, v)
	case ActionTransfer:
		details["from_caf"], details["to_caf"] = c.Caf, args.Caf
		c.Caf = args.Caf
		// The officer was the other Caf's: the file waits for one of its own.
		if c.Assignee != "" {
			details["previous_assignee"] = c.Assignee
			c.Assignee = ""
		}
		switch c.Status {
		case StatusAssigned, StatusInProgress:
			c.Status = StatusOpen
		case StatusAdmitted, StatusInStudy:
			// A mediation keeps its stage: the mediator of the Caf takes it.
		}
		return []Notification{{Recipient: RoleRecipient(RoleManager), Kind: "transfer_in",
			Message: "Un dossier a été transféré à votre Caf"}}
	case ActionMerge:
		details["into"] = args.Into
		if c.ClockPaused {
			c.resume(now)
		}
		c.MergedInto = args.Into
		c.Status = StatusMerged
		c.ClosedAt, c.ClosedReason = &now, "merged"
	}
	return nil
}
