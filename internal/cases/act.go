package cases

import (
	"context"

	"recours/internal/domain"
	"recours/workflows"
)

// Act performs an action on a file: authorise in the file's Caf, check
// the arguments and what they name in the store, then send the update,
// whose validator refuses what the state does not allow before anything
// is written. The idempotency key becomes the update ID, so a retried
// request is applied once.
func (s *Service) Act(ctx context.Context, p domain.Principal, id string, action domain.Action, args domain.ActionArgs, k Idempotency) (domain.Case, error) {
	file, err := s.Readable(ctx, p, id)
	if err != nil {
		return domain.Case{}, err
	}
	if !file.Kind.Public(action) {
		return domain.Case{}, domain.Errorf(domain.ENOTFOUND, "action inconnue sur ce dossier : %s", action)
	}
	if err := s.Authz.Check(p.Login, file.Caf, string(file.Kind), string(action)); err != nil {
		return domain.Case{}, err
	}
	if err := domain.CheckFields(file.Kind, action, args); err != nil {
		return domain.Case{}, err
	}
	if err := file.ValidateArgs(s.now(), action, args); err != nil {
		return domain.Case{}, err
	}
	if err := s.checkReferences(ctx, p, file, action, &args); err != nil {
		return domain.Case{}, err
	}
	out, err := s.send(ctx, p, file, action, args, "POST /api/v1/cases/"+file.ID+"/actions/"+string(action), k)
	return out.ForAgents(), err
}

// send sends an action to the file's workflow under the idempotency key k
// for target.
func (s *Service) send(ctx context.Context, p domain.Principal, file domain.Case, action domain.Action, args domain.ActionArgs, target string, k Idempotency) (domain.Case, error) {
	hash := k.hash(target, args)
	_, _, release, err := s.claim(ctx, p, k, target, hash, file.ID)
	if err != nil {
		return domain.Case{}, err
	}
	if action == domain.ActionEscalate || action == domain.ActionReorient {
		// The reference of the file the action opens (a mediation, or
		// the complaint a mediation is reoriented to), drawn here since
		// the workflow draws nothing from the store.
		kind := domain.KindMediation
		if action == domain.ActionReorient {
			kind = domain.KindComplaint
		}
		if args.LinkedReference, err = s.Store.NextReference(ctx, domain.SeriesOf(file.Caf, kind, "claimant", s.now())); err != nil {
			release()
			return domain.Case{}, err
		}
	}
	wid, uid := workflows.WorkflowID(file.Kind, file.ID), updateID(p, k, hash)
	req := workflows.ActionRequest{Actor: domain.Actor{Login: p.Login, Roles: s.Authz.Roles(p.Login, file.Caf)}, Args: args}
	req.Seal = s.seal(wid, uid, string(action), req.Actor, req.Args)
	var out domain.Case
	err = s.update(ctx, wid, string(action), uid, req, &out, release, closedMessage(action))
	if err == nil && out.Reference == "" {
		out.Reference = file.Reference // given by the store to a file registered before references
	}
	return out, err
}

// seal is the API's seal of an action for the workers (domain.ActorKey),
// "" without a key.
func (s *Service) seal(wid, updateID, action string, actor, args any) string {
	if s.ActorKey == nil {
		return ""
	}
	return s.ActorKey.Seal(wid, updateID, action, actor, args)
}

// closedMessage says why a file whose workflow ended (closed for longer
// than workflows.ReopenWindow) takes no action, and how the claimant's
// recourse goes on: mediation and the Défenseur des droits have no time
// limit, so the ladder is climbed by registering the next file.
func closedMessage(a domain.Action) string {
	switch a {
	case domain.ActionEscalate:
		return "le dossier est clos depuis plus de 60 jours : enregistrez la demande de médiation de l'allocataire en la liant à ce dossier (related_case_id) ; une médiation n'a pas de délai"
	case domain.ActionReferToDDD:
		return "le dossier est clos depuis plus de 60 jours : la saisine du Défenseur des droits arrivera par son API et sera rattachée au dossier ; elle n'a pas de délai"
	}
	return "le dossier est clos : plus aucune action n'est possible"
}

// checkReferences checks what an action names in the store: the officer
// a file is assigned to, the prior file that makes a mediation admissible.
func (s *Service) checkReferences(ctx context.Context, p domain.Principal, file domain.Case, action domain.Action, args *domain.ActionArgs) error {
	var err error
	switch action {
	case domain.ActionTransfer:
		err = s.transferTarget(ctx, p, args.Caf)
	case domain.ActionMerge:
		args.Into, err = s.mergeTarget(ctx, p, file, args.Into)
	case domain.ActionAssign:
		args.Assignee, err = s.assignee(ctx, args.Assignee, file.Caf)
	case domain.ActionAdmit:
		if args.PriorContactCaseID != "" {
			err = s.priorContact(ctx, file, args.PriorContactCaseID)
		}
	}
	return err
}

// transferTarget checks the Caf a file is transferred to: one that
// exists, where p holds a role (moving a file where one cannot follow it
// is refused).
func (s *Service) transferTarget(ctx context.Context, p domain.Principal, caf string) error {
	invalid := &domain.Error{Code: domain.EINVALID, Message: "transfert impossible",
		Fields: []domain.FieldError{{Field: "caf", Message: "aucune Caf ne porte ce numéro"}}}
	if _, err := s.Store.Organisation(ctx, caf); domain.ErrorCode(err) == domain.ENOTFOUND {
		return invalid
	} else if err != nil {
		return err
	}
	if len(s.Authz.Roles(p.Login, caf)) == 0 {
		return domain.Errorf(domain.EFORBIDDEN, "vous n'avez aucun rôle dans la Caf %s : un responsable de cette Caf peut y transférer le dossier", caf)
	}
	return nil
}

// mergeTarget reads the file a duplicate is merged into, by its id or its
// reference: the same claimant's file of the same kind in the same Caf,
// not itself merged. It returns its id.
func (s *Service) mergeTarget(ctx context.Context, p domain.Principal, file domain.Case, into string) (string, error) {
	invalid := func(msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: "fusion impossible", Fields: []domain.FieldError{{Field: "into", Message: msg}}}
	}
	target, err := s.Readable(ctx, p, into)
	switch code := domain.ErrorCode(err); {
	case code == domain.ENOTFOUND || code == domain.EFORBIDDEN:
		return "", invalid("aucun dossier que vous pouvez lire ne porte cette référence")
	case err != nil:
		return "", err
	case target.ID == file.ID:
		return "", invalid("un dossier ne peut pas être fusionné avec lui-même")
	case target.Caf != file.Caf || target.Claimant.Number != file.Claimant.Number || target.Kind != file.Kind:
		return "", invalid("le dossier conservé doit être du même allocataire, de la même Caf et du même type")
	case target.Status == domain.StatusMerged:
		return "", invalid("ce dossier est lui-même fusionné dans " + target.MergedInto)
	}
	return target.ID, nil
}

// priorContact checks that the file named as the claimant's prior approach
// exists, is the same claimant's in the same Caf, and was answered or let
// pass its deadline (CSS L217-7-1).
func (s *Service) priorContact(ctx context.Context, file domain.Case, id string) error {
	invalid := func(msg string) error {
		return &domain.Error{Code: domain.EINVALID, Message: "médiation non recevable sur ce fondement",
			Fields: []domain.FieldError{{Field: "prior_contact_case_id", Message: msg}}}
	}
	prior, err := s.Store.Case(ctx, id)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return invalid("dossier introuvable")
	}
	if err != nil {
		return err
	}
	if prior.Caf != file.Caf || prior.Claimant.Number != file.Claimant.Number {
		return invalid("ce dossier n'est pas celui du même allocataire dans cette Caf")
	}
	if !prior.AskedAndAnsweredOrLate() {
		return invalid("la Caf n'a pas encore répondu à cette demande et son délai court encore")
	}
	return nil
}

// assignee returns the login of the benefits officer of caf named login
// (as stored: logins are matched whatever their case), or EINVALID.
func (s *Service) assignee(ctx context.Context, login, caf string) (string, error) {
	invalid := &domain.Error{Code: domain.EINVALID, Message: "attribution impossible",
		Fields: []domain.FieldError{{Field: "assignee", Message: "aucun gestionnaire de cette Caf ne porte cet identifiant"}}}
	u, err := s.Store.UserByLogin(ctx, login)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return "", invalid
	}
	if err != nil {
		return "", err
	}
	ok, err := s.Store.HasRole(ctx, u.Login, caf, domain.RoleGCA)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", invalid
	}
	return u.Login, nil
}
