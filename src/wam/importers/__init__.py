"""Importers: spreadsheets of holders and opening stock, and real public data
(Geo-PKO deployments, IPI contributions, UN Peace and Security Data Hub files)."""
