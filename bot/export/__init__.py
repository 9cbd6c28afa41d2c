"""The inspection dossier (资料汇编): workbook, evidence ZIP, CLI. See ``bot.export.dossier``."""
