"""The embedded default's broker: kombu's file-system transport, each message written whole
before any worker can see it.

kombu's file-system transport creates a message's file, then locks it and writes it; a worker
listing the folder in between moves the still-empty file away, cannot decode it and stops
("Unrecoverable error: JSONDecodeError"). Here a message is written under a name that no queue
reads and then renamed into place, which is atomic within one folder. The transport is registered
under kombu's own "filesystem" alias, so `filesystem://` (the default CELERY_BROKER_URL without
Redis) means this one in every process that imports the project (web, worker, beat, tests).
"""

import os
import uuid
from contextlib import suppress
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

PARTIAL = ".partial-"  # no queue reads a name that starts with a dot (kombu matches "<queue>.msg")


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, PARTIAL + name)
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            with suppress(OSError):
                os.remove(partial)  # a half-written file is never left behind
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES["filesystem"] = f"{__name__}:Transport"
