package web

import (
	"errors"
	"net/http"
	"regexp"
	"sync"

	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/store"
)

type usersView struct {
	Users []*store.User
	Roles []store.Role
	// OneTime is a one-time password just made, shown once.
	OneTime, OneTimeFor string
	Error               string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showUsers(w, r, rc, http.StatusOK, usersView{})
}

func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v usersView) error {
	var err error
	if v.Users, err = s.cfg.Store.Users(r.Context()); err != nil {
		return err
	}
	v.Roles = store.Roles()
	// a page showing a password is not kept by the browser (no-store is
	// on every page) and not shown twice
	s.render(w, rc, status, "users", "lab.users.title", v)
	return nil
}

// userName is compiled when first used: its 64 repetitions of two Unicode
// classes cost 2.4 MB and milliseconds of CPU, which every command (a scan
// too) paid at start-up when it was a package variable.
var userName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{N}._@-]{2,64}$`) })

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := r.PostForm.Get("name")
	role := store.Role(r.PostForm.Get("role"))
	if !userName().MatchString(name) || !role.Valid() {
		return s.showUsers(w, r, rc, http.StatusBadRequest, usersView{Error: rc.cat.T("lab.users.bad_name")})
	}
	otp := auth.OneTimePassword()
	h, err := auth.Hash(otp, s.cfg.Hash)
	if err != nil {
		return err
	}
	u, err := s.cfg.Store.CreateUser(r.Context(), name, h, role, true)
	if errors.Is(err, store.ErrConflict) {
		return s.showUsers(w, r, rc, http.StatusConflict, usersView{Error: rc.cat.T("lab.users.taken", "name", name)})
	}
	if err != nil {
		return err
	}
	s.audit(r.Context(), rc, "user.create", 0, u.Name, string(u.Role))
	return s.showUsers(w, r, rc, http.StatusOK, usersView{OneTime: otp, OneTimeFor: u.Name})
}

// changeUser sets a role, disables or enables an account, or gives it a
// new one-time password. The last enabled admin cannot be demoted or
// disabled.
func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.cfg.Store.User(r.Context(), id)
	if err != nil {
		return errNotFound
	}
	lastAdmin := func() (bool, error) {
		if u.Role != store.Admin || u.Disabled {
			return false, nil
		}
		n, err := s.cfg.Store.CountAdmins(r.Context())
		return n <= 1, err
	}
	action := r.PostForm.Get("action")
	switch action {
	case "role":
		role := store.Role(r.PostForm.Get("role"))
		if !role.Valid() {
			return refuse(http.StatusBadRequest, "lab.error.bad_form")
		}
		if last, err := lastAdmin(); err != nil || (last && role != store.Admin) {
			return s.showUsers(w, r, rc, http.StatusConflict, usersView{Error: rc.cat.T("lab.users.last_admin")})
		}
		if err := s.cfg.Store.SetRole(r.Context(), id, role); err != nil {
			return err
		}
		s.audit(r.Context(), rc, "user.role", 0, u.Name, string(role))
	case "disable", "enable":
		if last, err := lastAdmin(); err != nil || (last && action == "disable") {
			return s.showUsers(w, r, rc, http.StatusConflict, usersView{Error: rc.cat.T("lab.users.last_admin")})
		}
		if err := s.cfg.Store.SetDisabled(r.Context(), id, action == "disable"); err != nil {
			return err
		}
		s.audit(r.Context(), rc, "user."+action, 0, u.Name, "")
	case "reset":
		otp := auth.OneTimePassword()
		h, err := auth.Hash(otp, s.cfg.Hash)
		if err != nil {
			return err
		}
		if err := s.cfg.Store.SetPassword(r.Context(), id, h, true, ""); err != nil {
			return err
		}
		s.audit(r.Context(), rc, "user.reset", 0, u.Name, "")
		return s.showUsers(w, r, rc, http.StatusOK, usersView{OneTime: otp, OneTimeFor: u.Name})
	default:
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	return seeOther(w, r, "/users", "user_changed")
}
