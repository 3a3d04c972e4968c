"""The console e-mail backend (`EMAIL_URL=console://`) with personal identifiers masked.

Django's console backend writes each message, recipients included, to standard output, which
is the web server's or the Celery worker's log. The log rule (ppa.logging) applies to it too."""

import io

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleBackend

from ppa.logging import mask


class MaskedConsoleBackend(ConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        real, self.stream = self.stream, io.StringIO()
        try:
            super().write_message(message)
            text = self.stream.getvalue()
        finally:
            self.stream = real
        self.stream.write(mask(text))
