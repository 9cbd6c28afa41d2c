"""The coordinators' web dashboard, served by the bot itself (``COORDBOT_WEB_LISTEN``)."""
