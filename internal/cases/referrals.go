package cases

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"recours/internal/authz"
	"recours/internal/domain"
	"recours/internal/store"
	"recours/workflows"
)

// partnerOf is the partner organisation of a liaison's account.
func partnerOf(p domain.Principal) (string, error) {
	if p.Partner == "" {
		return "", domain.Errorf(domain.EFORBIDDEN, "ce compte n'appartient à aucune organisation partenaire")
	}
	return p.Partner, nil
}

// Refer opens the mediation file of a Défenseur des droits referral. The
// reference is the key: the same request again answers the same file
// (created false), another request under the same reference ECONFLICT.
// body is the request as sent, which a repeat must match (nil: in).
func (s *Service) Refer(ctx context.Context, p domain.Principal, in domain.NewReferral, body []byte) (file domain.Case, created bool, err error) {
	now := s.now()
	in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
	if err := in.Validate(now, s.InsecureCallbacks); err != nil {
		return domain.Case{}, false, err
	}
	if !s.Authz.Can(p.Login, in.Caf, authz.ObjReferral, authz.ActCreate) {
		return domain.Case{}, false, domain.Errorf(domain.EFORBIDDEN, "vous ne pouvez pas saisir cette Caf")
	}
	partner, err := partnerOf(p)
	if err != nil {
		return domain.Case{}, false, err
	}
	if err := s.checkCallbackHost(ctx, partner, in.CallbackURL); err != nil {
		return domain.Case{}, false, err
	}
	hash := Idempotency{Body: body}.hash("POST /api/v1/referrals", in)
	return s.openReferral(ctx, p, in, partner, hash, now)
}

// checkCallbackHost refuses a callback URL whose host is not on the
// partner's allow-list (EREFUSED): decisions go to the partner's own
// hosts, nowhere else. No URL, nothing to check.
func (s *Service) checkCallbackHost(ctx context.Context, partner, callback string) error {
	if callback == "" {
		return nil
	}
	org, err := s.Store.Partner(ctx, partner)
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		err = nil // an account of a partner since removed: no host is allowed
	}
	if err != nil {
		return err
	}
	return domain.CheckCallbackHost(callback, org.Hosts())
}

// ReferByPost registers a Défenseur des droits referral that came by post:
// an agent of the Caf who may register mediations types it in, with the
// date it was received. Its reference is the key as for one sent through
// the API: the same form again answers the same file, and a reference
// already registered otherwise ECONFLICT.
func (s *Service) ReferByPost(ctx context.Context, p domain.Principal, in domain.NewReferral, k Idempotency) (domain.Case, bool, error) {
	now := s.now()
	in.CallbackURL = "" // a letter gives none
	in.Claimant.Number = domain.CleanClaimantNumber(in.Claimant.Number)
	if err := in.Validate(now, s.InsecureCallbacks); err != nil {
		return domain.Case{}, false, err
	}
	if !s.Authz.Can(p.Login, in.Caf, authz.ObjMediation, authz.ActCreate) {
		return domain.Case{}, false, domain.Errorf(domain.EFORBIDDEN, "vous ne pouvez pas enregistrer de saisine pour cette Caf")
	}
	hash := k.hash("POST /ui/saisines", in)
	return s.openReferral(ctx, p, in, "", hash, now)
}

// openReferral opens the file of a referral under its reference: the
// first request with it makes the file, a repeat with the same hash finds
// it, another one is refused.
func (s *Service) openReferral(ctx context.Context, p domain.Principal, in domain.NewReferral, partner, hash string, now time.Time) (domain.Case, bool, error) {
	org, err := s.Store.Organisation(ctx, in.Caf)
	if err != nil {
		return domain.Case{}, false, err
	}
	rec, created, err := s.Store.CreateReferral(ctx, store.Referral{DDDReference: strings.TrimSpace(in.DDDReference),
		CaseID: newID(), Partner: partner, SubmittedBy: p.Login, RequestHash: hash})
	if err != nil {
		return domain.Case{}, false, err
	}
	if !created && (rec.Partner != partner || rec.RequestHash != hash) {
		return domain.Case{}, false, domain.Errorf(domain.ECONFLICT, "cette référence a déjà été transmise avec un autre contenu")
	}
	file, err := domain.NewReferralCase(rec.CaseID, in, partner, now, org.Policy())
	if err != nil {
		return domain.Case{}, false, err
	}
	parent, linked, err := s.Store.ReferredMediation(ctx, in.Caf, file.DDDReference)
	if err != nil {
		return domain.Case{}, false, err
	}
	if linked {
		file.ParentID = parent.ID
	}
	out, err := s.startFile(ctx, file, p.Login, !created)
	if err != nil {
		return domain.Case{}, false, err
	}
	if linked && created {
		s.linkReferral(ctx, parent, out.ID, p.Login)
	}
	return out, created, nil
}

// linkReferral tells the mediation the claimant took to the Défenseur des
// droits that the referral arrived, for its timeline. The referral already
// names it as parent, so a failure here loses no link.
func (s *Service) linkReferral(ctx context.Context, parent domain.Case, referralID, actor string) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	wid, uid := workflows.WorkflowID(parent.Kind, parent.ID), "link:"+referralID
	req := workflows.ActionRequest{Actor: domain.Actor{Login: actor, Roles: []domain.Role{domain.RoleDDDLiaison}},
		Args: domain.ActionArgs{ReferralID: referralID}}
	req.Seal = s.seal(wid, uid, string(domain.ActionLinkReferral), req.Actor, req.Args)
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: wid, UpdateID: uid, UpdateName: string(domain.ActionLinkReferral),
		WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{req},
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err != nil {
		slog.WarnContext(ctx, "linking a referral to its mediation failed", "case_id", parent.ID, "referral_id", referralID, "err", err)
	}
}

// Referral loads the file of a reference p's organisation submitted
// (ENOTFOUND otherwise) and checks act on it.
func (s *Service) Referral(ctx context.Context, p domain.Principal, ref, act string) (domain.Case, error) {
	partner, err := partnerOf(p)
	if err != nil {
		return domain.Case{}, err
	}
	rec, err := s.Store.Referral(ctx, ref)
	if err == nil && rec.Partner != partner {
		err = domain.Errorf(domain.ENOTFOUND, "saisine inconnue")
	}
	var file domain.Case
	if err == nil {
		file, err = s.Store.Case(ctx, rec.CaseID)
	}
	if err == nil {
		err = s.Authz.Check(p.Login, file.Caf, authz.ObjReferral, act)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			err = domain.Errorf(domain.ENOTFOUND, "saisine inconnue") // as for an unknown reference
		}
	}
	if err != nil {
		return domain.Case{}, err
	}
	// The referral read names the claimant: it is on the access trail.
	if act == authz.ActRead {
		if err := s.Record(ctx, p, file.ID, file.Caf, ReadDetail); err != nil {
			return domain.Case{}, err
		}
	}
	return file, nil
}

// FollowUp records a follow-up of the Défenseur des droits (a request
// for explanation or a formal notice) on the referral ref and moves the
// file's legal limit to its new date.
func (s *Service) FollowUp(ctx context.Context, p domain.Principal, ref string, args domain.ActionArgs, k Idempotency) (domain.Case, error) {
	file, err := s.Referral(ctx, p, ref, string(domain.ActionFollowUp))
	if err != nil {
		return domain.Case{}, err
	}
	if err := domain.CheckFields(file.Kind, domain.ActionFollowUp, args); err != nil {
		return domain.Case{}, err
	}
	if err := domain.ValidateArgs(file.Kind, domain.ActionFollowUp, args, s.now()); err != nil {
		return domain.Case{}, err
	}
	return s.send(ctx, p, file, domain.ActionFollowUp, args, "POST /api/v1/referrals/"+file.DDDReference+"/follow-ups", k)
}

// ReferralFilter is what the liaison's polling asks for, as typed.
type ReferralFilter struct {
	// UpdatedSince is an RFC 3339 time; empty: from the start.
	UpdatedSince string
	// Cursor is the Next of the previous page.
	Cursor string
	Limit  string
}

// Referrals lists what changed on p's referrals since f.UpdatedSince,
// oldest change first.
func (s *Service) Referrals(ctx context.Context, p domain.Principal, f ReferralFilter) (Page[domain.Case], error) {
	partner, err := partnerOf(p)
	if err != nil {
		return Page[domain.Case]{}, err
	}
	var probs domain.Problems
	sf := store.ReferralFilter{Partner: partner, Cafs: s.Authz.Cafs(p.Login, authz.ObjReferral, authz.ActRead)}
	if f.UpdatedSince != "" {
		t, err := time.Parse(time.RFC3339, f.UpdatedSince)
		if err != nil {
			probs.Add("updated_since", "date et heure RFC 3339 attendues")
		}
		sf.Since = t
	}
	sf.Limit = checkLimit(&probs, f.Limit, 50)
	if f.Cursor != "" {
		t, id, ok := decodeCursor(f.Cursor)
		if !ok {
			probs.Add("cursor", "curseur invalide")
		}
		sf.AfterTime, sf.AfterID = t, id
	}
	if err := probs.Err(); err != nil {
		return Page[domain.Case]{}, err
	}
	files, more, err := s.Store.ReferralFiles(ctx, sf)
	if err == nil {
		err = s.recordList(ctx, p, files, ReadList)
	}
	if err != nil {
		return Page[domain.Case]{}, err
	}
	out := Page[domain.Case]{Items: files}
	if more && len(files) > 0 {
		last := files[len(files)-1]
		out.Next = encodeCursor(last.UpdatedAt, last.ID)
	}
	return out, nil
}

func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(s string) (time.Time, string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", false
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	return t, id, ok && err == nil && id != ""
}
