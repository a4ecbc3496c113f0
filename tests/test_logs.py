from server.logs import redact


def test_secrets_in_urls_are_redacted() -> None:
    line = '127.0.0.1:1 - "WebSocket /collab/abc?token=jp_SECRET123&x=1" [accepted]'
    assert redact(line) == '127.0.0.1:1 - "WebSocket /collab/abc?token=[redacted]&x=1" [accepted]'
    access = '"POST /api/invitations/inv_SeCrEt-_9/accept HTTP/1.1" 200'
    assert "inv_SeCrEt" not in redact(access)
    assert redact(access).startswith('"POST /api/invitations/[redacted]/accept')
    assert redact("GET /api/plans/abc") == "GET /api/plans/abc"


def test_reset_link_secrets_are_redacted() -> None:
    for line in (
        '"POST /api/auth/password-reset/jpr_AbC-_9xyz HTTP/1.1" 200',
        '"GET /reset/jpr_AbC-_9xyz HTTP/1.1" 200',
    ):
        assert "AbC-_9xyz" not in redact(line)
        assert "jpr_[redacted]" in redact(line)
