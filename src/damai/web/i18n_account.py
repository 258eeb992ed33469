"""The account page's messages (issue #14 part 7), in Indonesian and English; merged into
:data:`damai.web.i18n.MESSAGES`."""

from __future__ import annotations

from typing import Final

__all__ = ["ACCOUNT_MESSAGES"]

#: key → (Indonesian, English)
ACCOUNT_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "nav.account": ("Akun saya", "My account"),
    "zone.title": ("Zona waktu tampilan (data disimpan dalam UTC)",
                   "Time zone shown (data is stored in UTC)"),
    "login.code": ("Kode login dua langkah (jika aktif)", "Two-factor code (if turned on)"),
    "account.title": ("Akun saya", "My account"),
    "account.must_change": (
        "Kata sandi Anda sekali pakai (dari admin atau demo). Buat kata sandi baru sebelum "
        "melanjutkan.",
        "Your password is a one-time password (from an admin or the demo). Choose a new one "
        "before going on."),
    "account.needs_totp": (
        "Instalasi ini mewajibkan login dua langkah untuk admin dan approver. Aktifkan di bawah "
        "sebelum melanjutkan.",
        "This installation requires two-factor login for admins and approvers. Turn it on "
        "below before going on."),
    "account.password": ("Ganti kata sandi", "Change password"),
    "account.current": ("Kata sandi sekarang", "Current password"),
    "account.new": ("Kata sandi baru", "New password"),
    "account.repeat": ("Ulangi kata sandi baru", "Repeat the new password"),
    "account.mismatch": ("Kedua kata sandi baru tidak sama.", "The two new passwords differ."),
    "account.changed": (
        "Kata sandi diganti. Sesi Anda yang lain sudah diakhiri.",
        "Password changed. Your other sessions have been ended."),
    "account.sessions": ("Sesi aktif", "Active sessions"),
    "account.sessions_explain": (
        "Setiap browser tempat Anda masuk. Akhiri sesi yang tidak Anda kenali, lalu ganti kata "
        "sandi.",
        "Every browser you are logged in on. End any session you do not recognise, then change "
        "your password."),
    "account.started": ("Mulai", "Started"),
    "account.expires": ("Berakhir", "Expires"),
    "account.address": ("Alamat IP", "IP address"),
    "account.this": ("sesi ini", "this session"),
    "account.end": ("Akhiri", "End"),
    "account.end_others": ("Akhiri semua sesi lain", "End all other sessions"),
    "account.ended": ("Sesi diakhiri.", "Session ended."),
    "account.totp": ("Login dua langkah (TOTP)", "Two-factor login (TOTP)"),
    "account.totp_on": ("Aktif. Saat masuk, isi kode dari aplikasi autentikator Anda.",
                        "On. When you log in, give the code from your authenticator app."),
    "account.totp_off": (
        "Belum aktif. Tersedia untuk admin dan approver: kata sandi saja tidak cukup untuk "
        "masuk.",
        "Off. Available to admins and approvers: a password alone will not be enough to log "
        "in."),
    "account.totp_begin": ("Siapkan login dua langkah", "Set up two-factor login"),
    "account.totp_secret": (
        "Masukkan kunci ini ke aplikasi autentikator (mis. Aegis, Google Authenticator), lalu "
        "isi kode 6 angka yang muncul.",
        "Enter this key in an authenticator app (e.g. Aegis, Google Authenticator), then give "
        "the 6-digit code it shows."),
    "account.totp_code": ("Kode 6 angka", "6-digit code"),
    "account.totp_confirm": ("Aktifkan", "Turn on"),
    "account.totp_enabled": ("Login dua langkah aktif.", "Two-factor login is on."),
    "account.totp_disable": ("Matikan login dua langkah", "Turn two-factor login off"),
    "account.totp_disabled": ("Login dua langkah dimatikan.", "Two-factor login is off."),
    "account.totp_required": (
        "Instalasi ini mewajibkannya untuk peran Anda, jadi tidak bisa dimatikan.",
        "This installation requires it for your role, so it cannot be turned off."),
    "account.totp_roles": (
        "Login dua langkah tersedia untuk admin dan approver.",
        "Two-factor login is for admins and approvers."),
    "users.reset": ("Reset kata sandi", "Reset password"),
    "users.reset_done": (
        "Kata sandi sekali pakai untuk {name}: {password} — sampaikan lewat jalur aman. Hanya "
        "ditampilkan sekali; wajib diganti saat masuk berikutnya.",
        "One-time password for {name}: {password} — pass it on by a safe channel. Shown once "
        "only; it must be changed at the next login."),
    "users.totp": ("2FA", "2FA"),
}
