"""The messages of the errors raised in ``metrics``, in Danish and English.

Each :class:`metrics.model.MalsporError` names its text by a code: ``MalsporError("folder_missing",
folder=...)`` reads ``error.folder_missing``; ``Problem(..., code="password_short")`` reads
``problem.password_short``. :mod:`metrics.i18n` merges :data:`TEXTS` into its table at import, so
``i18n.t("error.folder_missing", "da", folder="x")`` works like any other text. The Danish says
what went wrong and what to do about it; the English is the text the command line has always
printed. ``tests/test_messages.py`` fails when a raise in ``metrics`` names a code without a text here.

Why over 500 lines: it is one table of texts, grouped by the module that raises them, and
nothing else.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ the database (metrics.store)
    "error.db_locked": {
        "da": "Databasen {path} er åben i proces {pid} ({program}), sandsynligvis dashboardet. Kun én proces ad "
              "gangen kan åbne filen for at skrive i den. Stop den proces, eller peg --db / MALSPOR_DB på en kopi "
              "af filen, og prøv igen.",
        "en": "The database {path} is open in process {pid} ({program}), probably the dashboard. DuckDB lets only "
              "one process open the file for writing. Stop that process, or point --db / MALSPOR_DB at a copy of "
              "the file, and try again."},
    "error.db_locked_unknown": {
        "da": "Databasen {path} er åben i en anden proces, sandsynligvis dashboardet. Kun én proces ad gangen kan "
              "åbne filen for at skrive i den. Stop den proces, eller peg --db / MALSPOR_DB på en kopi af filen, og "
              "prøv igen.",
        "en": "The database {path} is open in another process, probably the dashboard. DuckDB lets only one process "
              "open the file for writing. Stop that process, or point --db / MALSPOR_DB at a copy of the file, and "
              "try again."},
    "error.db_open_failed": {
        "da": "Databasen {path} kunne ikke åbnes: {reason}. Tjek, at filen findes og kan læses, eller kontakt en "
              "administrator.",
        "en": "Could not open the database {path}: {reason}"},
    "error.db_schema_newer": {
        "da": "Databasen {path} har skemaversion {version}, som er nyere end dette programs version {supported}. "
              "Opdatér Målspor.",
        "en": "The database {path} has schema version {version}, newer than this program's {supported}. "
              "Update Målspor."},
    "error.db_url_needs_server_store": {
        "da": "{path} er en PostgreSQL-adresse; den åbnes med metrics.database.open_store, ikke som en fil.",
        "en": "{path} is a PostgreSQL address; it is opened by metrics.database.open_store, not as a file."},
    "error.pg_connect_failed": {
        "da": "Der er ingen forbindelse til PostgreSQL-databasen {server}: {reason}. Tjek adressen i --db / "
              "MALSPOR_DB (postgresql://bruger@vært/database), at serveren kører, og at brugeren må logge på.",
        "en": "Could not connect to the PostgreSQL database {server}: {reason}. Check the address in --db / "
              "MALSPOR_DB (postgresql://user@host/database), that the server runs, and that the user may sign in."},
    "error.pg_empty": {
        "da": "PostgreSQL-databasen {server} har endnu ingen Målspor-tabeller. Intet er skrevet i den. Opret dem "
              "med 'python -m metrics init --db {server}', eller tjek adressen.",
        "en": "The PostgreSQL database {server} holds no Målspor tables yet. Nothing was written to it. Make them "
              "with 'python -m metrics init --db {server}', or check the address."},
    "error.pg_changed_meanwhile": {
        "da": "Tabellen {table} i {server} blev ændret af en anden proces under gemningen, så intet er gemt. "
              "Prøv igen.",
        "en": "The table {table} in {server} was changed by another process while saving, so nothing was saved. "
              "Try again."},
    "error.pg_refused": {
        "da": "PostgreSQL-databasen {server} afviste ændringen, så intet er gemt: {reason}",
        "en": "The PostgreSQL database {server} refused the change, so nothing was saved: {reason}"},
    "error.db_read_only": {
        "da": "Databasen {path} er åbnet skrivebeskyttet, så intet kan gemmes. Åbn den uden skrivebeskyttelse "
              "for at ændre data.",
        "en": "The database {path} is open read-only."},
    "error.audit_missing": {
        "da": "Ændringen '{action}' blev ikke skrevet i ændringsloggen, så intet er gemt. Det er en fejl i "
              "programmet: meld den til en administrator.",
        "en": "The change '{action}' was not recorded in the audit trail, so nothing was written. This is a bug: "
              "please report it."},
    "error.seed_not_empty": {
        "da": "Databasen indeholder allerede mål. Startdata kan kun indlæses i en ny, tom database.",
        "en": "The database already holds targets; seeding is for a new database."},
    # ------------------------------------------------------------------ undo of the seed batch (metrics.ingest, issue 11)
    "refusal.undo_seed": {
        "da": "Kørsel {batch} ({file}) er startdata: handlingsplanens egne tal. Fortrydes den, har hvert mål kun sin "
              "basisværdi tilbage, så den fortrydes ikke her. Skal det ske alligevel, så brug kommandolinjen: "
              "python -m metrics undo {batch} --include-seed.",
        "en": "Batch {batch} ({file}) is the seed data: the action plan's own figures. Undoing it leaves every target "
              "with only its baseline, so it is not undone here. If that is really wanted, use "
              "python -m metrics undo {batch} --include-seed."},
    # ------------------------------------------------------------------ permissions (every write)
    "error.permission": {
        "da": "Brugeren '{user}' med rollen '{role}' må ikke {action}. Bed en administrator om en rolle, der "
              "giver adgang.",
        "en": "User '{user}' with role '{role}' may not {action}."},
    "action.seed": {"da": "indlæse startdata i databasen", "en": "seed the database"},
    "action.import_observations": {"da": "importere målinger", "en": "import observations"},
    "action.undo_batch": {"da": "fortryde en import", "en": "undo batch"},
    "action.edit_targets": {"da": "ændre mål", "en": "edit targets"},
    "action.write_commentary": {"da": "skrive kommentarer", "en": "write commentary"},
    "action.restore": {"da": "gendanne en sikkerhedskopi", "en": "restore a backup"},
    "action.manage_users": {"da": "administrere brugere", "en": "manage users"},
    "action.sign_in": {"da": "registrere loginforsøg", "en": "sign in"},
    # ------------------------------------------------------------------ files and folders
    "error.folder_missing": {
        "da": "Mappen {folder} findes ikke. Opret den, eller vælg en anden mappe.",
        "en": "The folder {folder} does not exist."},
    "error.format_unknown": {
        "da": "Ukendt format '{fmt}'. Brug {choices}.",
        "en": "Unknown format '{fmt}': use {choices}."},
    "error.export_table_unknown": {
        "da": "Ukendt tabel '{table}'. Vælg {choices}.",
        "en": "Unknown table '{table}'. Choose one of: {choices}."},
    # ------------------------------------------------------------------ files read as the analyst sees them (metrics.ingest)
    "problem.mixed_encoding": {
        "da": "Filen er UTF-8, men denne linje har et tegn, der ikke er UTF-8 (byte {byte}, i Windows-1252 '{cp1252}'), "
              "sandsynligvis kopieret ind fra en anden fil. Ret tegnet på linjen, eller gem hele filen igen fra Excel "
              "som 'CSV UTF-8', og upload den igen.",
        "en": "The file is UTF-8, but this line has a character that is not UTF-8 (byte {byte}, '{cp1252}' in "
              "Windows-1252), probably pasted in from another file. Correct the character on the line, or save the "
              "whole file again from Excel as 'CSV UTF-8', and upload it again."},
    "problem.swallowed_rows": {
        "da": "Advarsel: cellen strækker sig over {lines} linjer, og linjerne ligner hele rækker. Sandsynligvis er et "
              "anførselstegn (\") ikke lukket, så de følgende rækker er læst ind i denne ene celle. Tjek rækken, og "
              "luk eller fjern anførselstegnet, før du gemmer.",
        "en": "Warning: the cell runs over {lines} lines, and the lines look like whole rows. Probably a quotation "
              "mark (\") is not closed, so the rows after it were read into this one cell. Check the row, and close "
              "or remove the quotation mark before you save."},
    "problem.too_many_columns": {
        "da": "Rækken har {columns} kolonner, og grænsen er {limit}. Filen er ikke en tabel af målinger (måske er "
              "skilletegnet forkert, eller hele filen står på én linje). Gem arket fra Excel som CSV, eller brug "
              "skabelonen.",
        "en": "The row has {columns} columns and the limit is {limit}. The file is not a table of observations "
              "(perhaps the separator is wrong, or the whole file is on one line). Save the sheet from Excel as "
              "CSV, or use the template."},
    "problem.too_many_cells": {
        "da": "Filen har op til {cells} celler, og grænsen er {limit}. Del den op i mindre filer, eller fjern "
              "kolonner og rækker, der ikke er målinger.",
        "en": "The file has up to {cells} cells and the limit is {limit}. Split it into smaller files, or remove "
              "columns and rows that are not observations."},
    "problem.too_many_cells_sheet": {
        "da": "Et ark i projektmappen ({sheet}) har {cells} celler, og grænsen for et ark er {limit}. Gem arket "
              "med tabellen som CSV (CSV kan være større), eller del det op.",
        "en": "A sheet of the workbook ({sheet}) has {cells} cells and the limit for a sheet is {limit}. Save the "
              "sheet with the table as CSV (CSV files may be larger), or split it."},
    "problem.xlsx_sheet_too_large": {
        "da": "Et ark i projektmappen ({sheet}) fylder {size} pakket ud, og grænsen for et ark er {limit}. Gem arket "
              "med tabellen som CSV, eller del det op.",
        "en": "A sheet of the workbook ({sheet}) unpacks to {size} and the limit for a sheet is {limit}. Save the "
              "sheet with the table as CSV, or split it."},
    "problem.too_many_rows": {
        "da": "Filen giver {rows} målinger, og grænsen er {limit}. Del den op i mindre filer.",
        "en": "The file gives {rows} observations and the limit is {limit}. Split it into smaller files."},
    "problem.xlsx_ratio": {
        "da": "Projektmappens del '{member}' pakkes ud fra {packed} til {size} ({ratio} gange, grænsen er {limit}). "
              "Sådan ser en zip-bombe ud, ikke et regneark; filen læses ikke. Åbn den i Excel, og gem arket som "
              "CSV eller .xlsx igen.",
        "en": "The workbook's part '{member}' unpacks from {packed} to {size} ({ratio} times, the limit is {limit}). "
              "That is what a zip bomb looks like, not a spreadsheet; the file is not read. Open it in Excel and "
              "save the sheet as CSV or .xlsx again."},
    "problem.no_visible_sheet": {
        "da": "Projektmappen har intet synligt ark (dens ark {sheets} er skjulte). Vis arket med tabellen i Excel, "
              "eller vælg det ved navn.",
        "en": "The workbook has no visible sheet (its sheets {sheets} are hidden). Unhide the sheet with the table "
              "in Excel, or choose it by name."},
    "problem.sheet_hidden": {
        "da": "Arket '{sheet}' er skjult i projektmappen; det er læst, fordi det blev valgt. Tjek, at det er det "
              "rigtige ark.",
        "en": "The sheet '{sheet}' is hidden in the workbook; it was read because it was chosen. Check that it is "
              "the right sheet."},
    "problem.merged_filled": {
        "da": "{count} flettede celleområder er udfyldt med deres øverste venstre værdi i hver række, som arket viser "
              "dem: {ranges}. Tjek, at hver række har fået det rigtige område og den rigtige kilde.",
        "en": "{count} merged cell ranges were filled with their top-left value in every row, as the sheet shows "
              "them: {ranges}. Check that every row got the right geography and source."},
    "problem.geography_lookalike": {
        "da": "Områdets navn indeholder {kind}{char} ({code_point}), som ligner et almindeligt bogstav eller ikke "
              "ses, så det ville blive et nyt område, der ser ud som et kendt. Skriv navnet igen med almindelige "
              "bogstaver (eller kopiér det fra skabelonen).",
        "en": "The geography's name holds {kind}{char} ({code_point}), which looks like an ordinary letter or "
              "does not show, so it would become a new geography that looks like a known one. Type the name again "
              "in ordinary letters (or copy it from the template)."},
    "script.invisible": {"da": "et usynligt tegn", "en": "an invisible character"},
    "script.cyrillic": {"da": "det kyrilliske bogstav", "en": "the Cyrillic letter"},
    "script.greek": {"da": "det græske bogstav", "en": "the Greek letter"},
    "script.armenian": {"da": "det armenske bogstav", "en": "the Armenian letter"},
    "script.coptic": {"da": "det koptiske bogstav", "en": "the Coptic letter"},
    "script.cherokee": {"da": "cherokee-bogstavet", "en": "the Cherokee letter"},
    # ------------------------------------------------------------------ an upload waiting for its confirmation (metrics.ingest.pending)
    "error.upload_gone": {
        "da": "Uploaden i linket venter ikke længere: den er bekræftet eller kasseret, den er over et døgn gammel, "
              "eller den hører til en anden bruger. Intet er gemt fra den. Upload filen igen.",
        "en": "The upload in the link is no longer waiting: it was confirmed or discarded, it is more than a day "
              "old, or it belongs to another user. Nothing was written from it. Upload the file again."},
    # ------------------------------------------------------------------ the memo (metrics.memo)
    "error.memo_lang_unknown": {
        "da": "Ukendt sprog '{language}'. Brug {choices}.",
        "en": "Unknown language '{language}': use {choices}."},
    "error.memo_detail_unknown": {
        "da": "Ukendt detaljeniveau '{detail}'. Brug {choices}.",
        "en": "Unknown detail '{detail}': use {choices}."},
    # ------------------------------------------------------------------ charts as pictures (metrics.charts)
    "error.png_no_kaleido": {
        "da": "Grafer kan ikke gemmes som PNG, fordi pakken kaleido ikke er installeret. Bed en administrator om "
              "at installere den.",
        "en": "PNG export needs the kaleido package."},
    "error.png_failed": {
        "da": "Grafen kunne ikke gemmes som PNG ({reason}). Tjek, at Chromium er installeret, eller bed en "
              "administrator om hjælp.",
        "en": "The chart could not be rendered as PNG (is Chromium installed?): {reason}"},
    # ------------------------------------------------------------------ users and roles (metrics.auth, cli)
    "error.user_exists": {
        "da": "Brugeren '{name}' findes allerede. Skift i stedet brugerens rolle eller adgangskode (på "
              "kommandolinjen med 'user role' eller 'user password').",
        "en": "The user '{name}' already exists. Change the role with 'user role' or the password with "
              "'user password'."},
    "error.user_unknown": {
        "da": "Der findes ingen lokal bruger '{name}'. Tjek stavningen af brugernavnet.",
        "en": "There is no local user '{name}'."},
    "error.role_mapping_unknown": {
        "da": "Der findes ingen rolletildeling for '{pattern}'. Tjek stavningen.",
        "en": "There is no role mapping for '{pattern}'."},
    "error.passwords_differ": {
        "da": "De to adgangskoder er forskellige, så intet er ændret. Prøv igen.",
        "en": "The two passwords differ; nothing was changed."},
    "problem.password_short": {
        "da": "Adgangskoden skal have mindst {min} tegn. Vælg en længere.",
        "en": "The password must have at least {min} characters."},
    "problem.role_unknown": {
        "da": "Rollen skal være {choices}.",
        "en": "The role must be one of: {choices}."},
    "problem.user_name_invalid": {
        "da": "Brugernavnet skal have 2-64 tegn: bogstaverne a-z (uden æ, ø og å), tal eller . _ @ -.",
        "en": "Use 2-64 letters, digits or . _ @ -."},
    "problem.pattern_invalid": {
        "da": "Skriv en e-mailadresse (navn@regionh.dk) eller et domæne (@regionh.dk).",
        "en": "Write an e-mail address (name@regionh.dk) or a domain (@regionh.dk)."},
    # ------------------------------------------------------------------ sessions and the last administrator (issue 11)
    "error.last_admin": {
        "da": "'{name}' er den sidste lokale administrator og kan ikke fratages rollen eller slettes: så kunne "
              "ingen administrere Målspor. Giv først en anden konto rollen administrator.",
        "en": "'{name}' is the last local administrator and cannot be demoted or removed: no one could "
              "administer Målspor. Give another account the role admin first."},
    "error.last_admin_mapping": {
        "da": "'{pattern}' er den sidste rolletildeling, der giver rollen administrator, og kan ikke ændres eller "
              "fjernes: så kunne ingen med regionens konto administrere Målspor. Tildel først en anden adresse "
              "eller et andet domæne rollen administrator.",
        "en": "'{pattern}' is the last role mapping that gives the role admin and cannot be changed or removed: "
              "no one signing in with the region's account could administer Målspor. Map another address or "
              "domain to admin first."},
    "problem.password_blank": {
        "da": "Adgangskoden må ikke kun bestå af mellemrum. Vælg en med mindst {min} tegn.",
        "en": "The password cannot be only spaces. Choose one with at least {min} characters."},
    # ------------------------------------------------------------------ backup and restore (metrics.backup)
    "error.backup_folder_not_empty": {
        "da": "{folder} findes allerede og er ikke en tom mappe. Vælg en ny mappe til sikkerhedskopien.",
        "en": "{folder} already exists and is not an empty folder: choose a new folder for the backup."},
    "error.backup_not_folder": {
        "da": "{folder} er ikke en mappe. Angiv den mappe, som 'python -m metrics backup' skrev.",
        "en": "{folder} is not a folder. Give the folder that 'python -m metrics backup' wrote."},
    "error.backup_no_manifest": {
        "da": "{folder} har ingen {manifest} og er derfor ikke en sikkerhedskopi fra Målspor. Angiv den mappe, som "
              "'python -m metrics backup' skrev.",
        "en": "{folder} has no {manifest}: it is not a Målspor backup."},
    "error.backup_manifest_unreadable": {
        "da": "{path} kan ikke læses ({reason}). Brug en anden sikkerhedskopi.",
        "en": "{path} cannot be read: {reason}"},
    "error.backup_manifest_invalid": {
        "da": "{path} er ikke en manifestfil fra en sikkerhedskopi af Målspor. Angiv den mappe, som "
              "'python -m metrics backup' skrev.",
        "en": "{path} is not a Målspor backup manifest."},
    "error.backup_format_version": {
        "da": "Sikkerhedskopien har formatversion {found}, men denne udgave af Målspor læser kun version "
              "{supported}. Gendan den med den udgave af Målspor, der lavede den.",
        "en": "The backup has format version {found}; this Målspor reads version {supported}."},
    "error.backup_schema_invalid": {
        "da": "{path} angiver ingen gyldig skemaversion, så sikkerhedskopien kan ikke gendannes. Brug en anden "
              "sikkerhedskopi.",
        "en": "{path} names no valid schema version."},
    "error.backup_schema_newer": {
        "da": "Sikkerhedskopien har skemaversion {version}, som er nyere end dette programs version {supported}. "
              "Gendan den med den udgave af Målspor, der lavede den, eller opdatér Målspor.",
        "en": "The backup has schema version {version}, newer than this program's {supported}. Restore it with "
              "the Målspor that made it, or update Målspor."},
    "error.backup_file_missing": {
        "da": "Sikkerhedskopien mangler filen {file} til tabellen {table}. Brug en komplet sikkerhedskopi.",
        "en": "The backup lacks {file} for table {table}."},
    "error.backup_checksum": {
        "da": "{file} passer ikke med kontrolsummen i manifestet: sikkerhedskopien er beskadiget eller er blevet "
              "redigeret. Intet er gendannet. Brug en anden sikkerhedskopi.",
        "en": "{file} does not match the manifest's checksum: the backup is damaged or was edited. Nothing was "
              "restored."},
    "error.backup_tables_unknown": {
        "da": "Sikkerhedskopien indeholder tabeller, som denne udgave af Målspor ikke kender: {tables}. Gendan den "
              "med den udgave af Målspor, der lavede den.",
        "en": "The backup holds tables this Målspor does not know: {tables}."},
    "error.backup_tables_missing": {
        "da": "Sikkerhedskopien mangler tabellerne {tables}. Brug en komplet sikkerhedskopi.",
        "en": "The backup lacks the tables {tables}."},
    "error.restore_not_empty": {
        "da": "Databasen {path} indeholder allerede data ({held}). Der kan kun gendannes til en tom database: "
              "angiv en ny fil med --db NY.duckdb (den oprettes), tjek den, stop derefter dashboardet, og erstat "
              "den gamle fil med den nye.",
        "en": "The database {path} already holds data ({held}). Restore only goes into an empty database: give a "
              "new file with --db NEW.duckdb (it is created), check it, then stop the dashboard and put the new "
              "file in place of the old one."},
    "error.backup_row_count": {
        "da": "{file} har {rows} rækker, men manifestet siger {expected}. Sikkerhedskopien er beskadiget; brug en "
              "anden.",
        "en": "{file} has {rows} rows; the manifest says {expected}."},
    "error.backup_columns_unknown": {
        "da": "Tabellen {table} i sikkerhedskopien har kolonner, som denne database ikke har: {columns}. Den er "
              "lavet af en anden udgave af Målspor; gendan den med den udgave.",
        "en": "The backup's table {table} has columns this database lacks: {columns}. It was made by a different "
              "Målspor."},
    "error.backup_keys_broken": {
        "da": "Målingerne i sikkerhedskopien bryder databasens nøgler, så intet er gendannet: {problems}. Brug en "
              "anden sikkerhedskopi.",
        "en": "The backup's observations break the database's keys, so nothing was restored: {problems}."},
    "error.backup_sequence_unknown": {
        "da": "Sikkerhedskopien har en nummerserie, {name}, som denne database ikke har. Gendan den med den "
              "udgave af Målspor, der lavede den.",
        "en": "The backup has a sequence {name} this database lacks."},
    "error.backup_sequence_used": {
        "da": "Nummerserien {name} i denne database er allerede brugt, så sikkerhedskopiens nummerering kan ikke "
              "genskabes. Gendan til en ny fil (--db NY.duckdb).",
        "en": "The sequence {name} of this database has been used, so the backup's numbering cannot be "
              "reproduced. Restore into a new file (--db NEW.duckdb)."},
    # ------------------------------------------------------------------ issue 11 (inert11): opening, signing, the chain
    "error.db_missing": {
        "da": "Der findes ingen database {path}. Kun 'python -m metrics init' opretter en database (dashboardet gør "
              "det også første gang): tjek stien i --db / MALSPOR_DB, eller kør init først.",
        "en": "There is no database {path}. Only 'python -m metrics init' creates one (so does the dashboard on its "
              "first run): check the path in --db / MALSPOR_DB, or run init first."},
    "error.db_is_folder": {
        "da": "{path} er en mappe, ikke en databasefil. Angiv filen, fx {path}/malspor.duckdb.",
        "en": "{path} is a folder, not a database file. Give the file, e.g. {path}/malspor.duckdb."},
    "error.db_not_duckdb": {
        "da": "{path} er ikke en Målspor-database (filen er ikke en DuckDB-database). Intet er skrevet i den. Tjek "
              "stien i --db / MALSPOR_DB; en tom fil fra et afbrudt init kan slettes.",
        "en": "{path} is not a Målspor database (the file is not a DuckDB database). Nothing was written to it. "
              "Check the path in --db / MALSPOR_DB; an empty file left by an interrupted init can be deleted."},
    "error.db_not_malspor": {
        "da": "{path} er en DuckDB-database fra et andet program (tabellerne {tables}), ikke fra Målspor. Intet er "
              "skrevet i den. Tjek stien i --db / MALSPOR_DB.",
        "en": "{path} is a DuckDB database of another program (tables {tables}), not a Målspor database. Nothing "
              "was written to it. Check the path in --db / MALSPOR_DB."},
    "error.db_not_malspor_empty": {
        "da": "{path} er en tom DuckDB-database uden Målspors tabeller. Intet er skrevet i den. Opret Målspors "
              "tabeller med 'python -m metrics init --db {path}', eller tjek stien.",
        "en": "{path} is an empty DuckDB database without Målspor's tables. Nothing was written to it. Make them "
              "with 'python -m metrics init --db {path}', or check the path."},
    "error.db_no_permission": {
        "da": "Målspor må ikke skrive {path}. Vælg en mappe, du har skriveadgang til, eller bed en administrator "
              "om adgang.",
        "en": "Målspor may not write {path}. Choose a folder you can write to, or ask an administrator for access."},
    "error.disk_full": {
        "da": "Disken med {folder} er fuld, så {path} kunne ikke skrives; intet halvt skrevet er gemt. Frigør "
              "plads på den disk (slet gamle sikkerhedskopier, eksporter eller logfiler, eller tøm papirkurven), "
              "og prøv igen.",
        "en": "The disk holding {folder} is full, so {path} could not be written; nothing half-written was kept. "
              "Free space on that disk (delete old backups, exports or log files, or empty the trash) and try "
              "again."},
    "error.db_error": {
        "da": "Databasen afviste handlingen ({reason}), så intet er ændret. Prøv igen, eller meld fejlen til en "
              "administrator.",
        "en": "The database refused the operation ({reason}); nothing was changed."},
    "error.out_is_folder": {
        "da": "{path} er en mappe. Angiv et filnavn til --out, fx {path}/status.csv.",
        "en": "{path} is a folder: give --out a file name, e.g. {path}/status.csv."},
    "error.no_permission": {
        "da": "Målspor må ikke læse eller skrive {path}. Vælg en anden fil, eller bed en administrator om adgang.",
        "en": "Målspor may not read or write {path}. Choose another file, or ask an administrator for access."},
    "error.file_failed": {
        "da": "{path} kunne ikke læses eller skrives ({reason}). Tjek stien, og prøv igen.",
        "en": "{path} could not be read or written: {reason}."},
    "error.text_file_binary": {
        "da": "{path} er ikke en tekstfil (den indeholder binære data). Gem kommentaren som almindelig tekst "
              "(UTF-8), og prøv igen.",
        "en": "{path} is not a text file (it holds binary data). Save the commentary as plain text (UTF-8)."},
    "error.text_file_not_utf8": {
        "da": "{path} er ikke gemt som UTF-8 (ugyldig byte ved position {position}). Gem filen som UTF-8-tekst, "
              "og prøv igen.",
        "en": "{path} is not UTF-8 text (an invalid byte at position {position}). Save it as UTF-8."},
    "error.text_file_too_large": {
        "da": "{path} er større end {max} og er ikke en kommentar. Angiv en tekstfil med kommentaren alene.",
        "en": "{path} is larger than {max}: not a commentary. Give a text file with the commentary alone."},
    "error.backup_key_unreadable": {
        "da": "Nøglen til at signere sikkerhedskopier kunne ikke læses fra {path} ({reason}). Ret filen, og prøv "
              "igen.",
        "en": "The backup signing key could not be read from {path}: {reason}."},
    "error.backup_key_short": {
        "da": "Nøglen til at signere sikkerhedskopier skal have mindst {min} tegn. Lav en lang, tilfældig nøgle, fx "
              "med python -c \"import secrets; print(secrets.token_urlsafe(32))\".",
        "en": "The backup signing key must have at least {min} characters: make a long random one, e.g. "
              "python -c \"import secrets; print(secrets.token_urlsafe(32))\"."},
    "error.backup_written_unsigned": {
        "da": "Advarsel: sikkerhedskopien er ikke signeret, fordi ingen nøgle er sat, og den kan kun gendannes med "
              "--unsigned. Sæt {env} eller [backup] key i .streamlit/secrets.toml, og tag en ny sikkerhedskopi.",
        "en": "Warning: the backup is not signed (no key is set) and restores only with --unsigned. Set {env} or "
              "[backup] key in .streamlit/secrets.toml and take a new backup."},
    "error.backup_signature_unsigned": {
        "da": "Sikkerhedskopien {folder} er ikke signeret, så det kan ikke ses, om den er redigeret. Intet er "
              "gendannet. Brug en signeret sikkerhedskopi, eller gendan med --unsigned, hvis du som administrator "
              "ved, hvor den kommer fra.",
        "en": "The backup {folder} is not signed, so whether it was edited cannot be told. Nothing was restored. "
              "Use a signed backup, or restore with --unsigned if you, an administrator, know where it comes from."},
    "error.backup_signature_wrong": {
        "da": "Signaturen på sikkerhedskopien {folder} passer ikke: filerne er redigeret, eller den er signeret med "
              "en anden nøgle. Intet er gendannet. Brug den nøgle, den blev signeret med ({env} eller --key-file), "
              "eller en anden sikkerhedskopi.",
        "en": "The signature of the backup {folder} does not match: the files were edited, or it was signed with "
              "another key. Nothing was restored. Use the key it was signed with ({env} or --key-file), or another "
              "backup."},
    "error.backup_signature_no_key": {
        "da": "Ingen nøgle er sat, så signaturen på sikkerhedskopien {folder} kan ikke kontrolleres. Intet er "
              "gendannet. Sæt {env}, [backup] key i .streamlit/secrets.toml eller --key-file, eller gendan med "
              "--unsigned, hvis du som administrator ved, hvor den kommer fra.",
        "en": "No key is set, so the signature of the backup {folder} cannot be checked. Nothing was restored. "
              "Set {env}, [backup] key in .streamlit/secrets.toml or --key-file, or restore with --unsigned if you, "
              "an administrator, know where it comes from."},
    "error.restore_unsigned_warning": {
        "da": "Advarsel: sikkerhedskopien {folder} gendannes uden gyldig signatur ({state}), fordi --unsigned er "
              "angivet; det står i ændringsloggen. Tjek de gendannede data.",
        "en": "Warning: restoring {folder} without a valid signature ({state}) because --unsigned was given; this "
              "is recorded in the audit trail. Check the restored data."},
    "error.backup_field_invalid": {
        "da": "{path} er beskadiget: feltet {field} skal være {expected}. Intet er gendannet. Brug en anden "
              "sikkerhedskopi.",
        "en": "{path} is damaged: the field {field} must be {expected}. Nothing was restored."},
    "error.backup_file_unreadable": {
        "da": "{file} i sikkerhedskopien kan ikke læses som Parquet ({reason}). Intet er gendannet. Brug en anden "
              "sikkerhedskopi.",
        "en": "{file} in the backup cannot be read as Parquet: {reason}. Nothing was restored."},
    "error.backup_rows_invalid": {
        "da": "Rækkerne i tabellen {table} i sikkerhedskopien passer ikke til databasen ({reason}). Intet er "
              "gendannet. Brug en anden sikkerhedskopi.",
        "en": "The rows of the backup's table {table} do not fit the database ({reason}). Nothing was restored."},
    "error.backup_rules_broken": {
        "da": "Sikkerhedskopien indeholder værdier, som målenes regler ikke tillader, så intet er gendannet: "
              "{problems}. Brug en anden sikkerhedskopi.",
        "en": "The backup holds values its targets' rules do not allow, so nothing was restored: {problems}."},
    "error.backup_audit_edited": {
        "da": "Ændringsloggen i sikkerhedskopien er redigeret: række {id} passer ikke med sin kontrolsum. Intet er "
              "gendannet. Brug en anden sikkerhedskopi.",
        "en": "The backup's audit trail was edited: row {id} does not match its hash. Nothing was restored."},
    "error.backup_audit_missing_before": {
        "da": "Ændringsloggen i sikkerhedskopien er brudt før række {id} (efter række {previous}): en række er "
              "slettet eller udskiftet. Intet er gendannet. Brug en anden sikkerhedskopi.",
        "en": "The backup's audit trail is broken before row {id} (after row {previous}): a row was deleted or "
              "replaced. Nothing was restored."},
    "error.backup_audit_unchained": {
        "da": "Række {id} i sikkerhedskopiens ændringslog har ingen kontrolsum og er ikke skrevet af Målspor. Intet "
              "er gendannet. Brug en anden sikkerhedskopi.",
        "en": "Row {id} of the backup's audit trail has no hash: Målspor did not write it. Nothing was restored."},
    "error.backup_sequence_behind": {
        "da": "Nummerserien {name} står på {last} i sikkerhedskopien, men {table}.{column} bruger allerede {used}, "
              "så næste import ville få et brugt nummer. Intet er gendannet. Brug en anden sikkerhedskopi.",
        "en": "The sequence {name} stands at {last} in the backup, but {table}.{column} already uses {used}, so the "
              "next import would get a number in use. Nothing was restored."},
    "error.audit_chain_edited": {
        "da": "Ændringsloggen er ikke intakt: række {id} er ændret efter den blev skrevet (dens indhold passer ikke "
              "med dens kontrolsum). Sammenlign med en sikkerhedskopi, og meld det til en administrator.",
        "en": "The audit trail is not intact: row {id} was changed after it was written (its content does not "
              "match its hash)."},
    "error.audit_chain_missing_before": {
        "da": "Ændringsloggen er ikke intakt: kæden er brudt før række {id} (efter række {previous}); en række "
              "imellem er slettet, eller række {previous} er udskiftet. Sammenlign med en sikkerhedskopi, og meld "
              "det til en administrator.",
        "en": "The audit trail is not intact: the chain breaks before row {id} (after row {previous}); a row "
              "between was deleted, or row {previous} was replaced."},
    "error.audit_chain_unchained": {
        "da": "Ændringsloggen er ikke intakt: række {id} har ingen kontrolsum, så den er ikke skrevet af Målspor. "
              "Sammenlign med en sikkerhedskopi, og meld det til en administrator.",
        "en": "The audit trail is not intact: row {id} has no hash, so Målspor did not write it."},
    # ------------------------------------------------------------------ commentary (metrics.commentary)
    "problem.no_target": {
        "da": "Der findes intet mål '{id}'. Vælg et mål, der findes.",
        "en": "There is no target '{id}'."},
    "problem.no_focus_area": {
        "da": "Der findes intet indsatsområde '{id}'. Vælg et indsatsområde, der findes.",
        "en": "There is no focus area '{id}'."},
    "problem.year_range": {
        "da": "Året skal være et helt tal fra {min} til {max}.",
        "en": "The year must be a whole number from {min} to {max}."},
    "problem.lang_unknown": {
        "da": "Sproget skal være 'da' eller 'en'.",
        "en": "The language must be 'da' or 'en'."},
    "problem.text_too_long": {
        "da": "Teksten har {length} tegn, men højst {max} er tilladt. Gør den kortere.",
        "en": "The text has {length} characters, more than the {max} allowed: shorten it."},
    # ------------------------------------------------------------------ target definitions (import-targets)
    "problem.targets_none": {
        "da": "Filen har en overskriftsrække, men ingen mål. Tilføj en række pr. mål.",
        "en": "The file has a header but no targets."},
    "problem.target_column_missing": {
        "da": "Den påkrævede kolonne '{column}' mangler i overskriftsrækken. Tilføj den; filen har: {found}.",
        "en": "The required column '{column}' is missing from the header row. Add it; the file has: {found}."},
    "problem.no_columns": {"da": "ingen kolonner", "en": "no columns"},
    "problem.number_required": {
        "da": "Skal udfyldes: skriv et tal.",
        "en": "Required: fill in a number."},
    "problem.write_year": {
        "da": "Skriv et helt årstal fra {min} til {max}.",
        "en": "Write a whole year from {min} to {max}."},
    "problem.write_integer": {
        "da": "Skriv et helt tal.",
        "en": "Write a whole number."},
    "problem.target_id_invalid": {
        "da": "Brug et læsbart id af små bogstaver (a-z), tal og _, der begynder med et bogstav (fx eud_share).",
        "en": "Use a readable slug of lower-case letters, digits and _, starting with a letter (e.g. eud_share)."},
    "problem.target_id_duplicate": {
        "da": "Målet står allerede i række {row}. Behold kun den ene række.",
        "en": "The target already appears in row {row}; keep one."},
    "problem.focus_area_unknown": {
        "da": "Ukendt indsatsområde. {hint}",
        "en": "Unknown focus area. {hint}"},
    "problem.did_you_mean": {"da": "Mente du {choices}?", "en": "Did you mean {choices}?"},
    "problem.known_ids": {"da": "Kendte id'er: {ids}.", "en": "Known ids: {ids}."},
    "problem.theme_mismatch": {
        "da": "Indsatsområdet '{focus_area}' hører til temaet '{theme}'. Ret theme_id, eller lad feltet stå tomt.",
        "en": "The focus area '{focus_area}' belongs to the theme '{theme}'."},
    "problem.required": {
        "da": "Skal udfyldes.",
        "en": "Required: fill it in."},
    "problem.kind_invalid": {
        "da": "Typen skal være level, relative eller none.",
        "en": "The kind must be level, relative or none."},
    "problem.direction_invalid": {
        "da": "Retningen skal være increase eller decrease.",
        "en": "The direction must be increase or decrease."},
    "problem.data_class_invalid": {
        "da": "Skriv R, D eller I.",
        "en": "Write R, D or I."},
    "problem.trend_window_invalid": {
        "da": "Trendvinduet skal være fra 1 til 50 år.",
        "en": "The trend window is 1 to 50 years."},
    "problem.update_interval_invalid": {
        "da": "Opdateringsintervallet skal være fra 1 til 50 år.",
        "en": "The update interval is 1 to 50 years."},
    "problem.publication_lag_invalid": {
        "da": "Forsinkelsen til offentliggørelse skal være fra 0 til 50 år.",
        "en": "The publication lag is 0 to 50 years."},
    "problem.indicator_has_target": {
        "da": "En indikator, der kun følges (type none), har hverken målår eller målværdi. Lad dem stå tomme, "
              "eller vælg typen level eller relative.",
        "en": "A monitored indicator (kind none) has no target year or value: leave them empty, or choose "
              "level/relative."},
    "problem.target_incomplete": {
        "da": "Et mål skal have både et målår og en målværdi. Udfyld dem begge.",
        "en": "A target needs both a target year and a target value."},
    "problem.target_year_early": {
        "da": "Målåret skal ligge efter basisåret {baseline_year}. Ret et af årstallene.",
        "en": "The target year must come after the baseline year {baseline_year}."},
    "problem.relative_too_low": {
        "da": "En relativ ændring kan ikke være -100 % eller mindre. Ret målværdien.",
        "en": "A relative change cannot be -100 % or less."},
    "problem.direction_mismatch": {
        "da": "Retningen '{direction}' passer ikke til en bevægelse fra {start} til {end}. Byt om på retningen, "
              "eller ret værdierne.",
        "en": "The direction '{direction}' does not fit a move from {start} to {end}. Swap the direction or "
              "correct the values."},
    "problem.target_outside_bounds": {
        "da": "Målet {target} ligger uden for grænserne [{lower}; {upper}]. Ret målet eller grænserne.",
        "en": "The target {target} lies outside the bounds [{lower}, {upper}]."},
    "problem.bounds_order": {
        "da": "Den nedre grænse skal være mindre end den øvre grænse.",
        "en": "The lower bound must be below the upper bound."},
    "problem.baseline_outside_bounds": {
        "da": "Basisværdien ligger uden for grænserne [{lower}; {upper}]. Ret basisværdien eller grænserne.",
        "en": "The baseline lies outside the bounds [{lower}, {upper}]."},
    "problem.target_baseline_conflict": {
        "da": "{target}: den gemte måling for {geography} i {year} er {value}, og basisværdien skal stemme med den. "
              "Ret basisværdien eller målingen.",
        "en": "{target}: the stored observation for {geography} in {year} is {value}; the baseline must agree "
              "with it. Correct the baseline or the observation."},
    "problem.observation_outside_bounds": {
        "da": "{target}: den gemte måling for {geography} i {year} ({value}) ligger uden for de nye grænser. Ret "
              "grænserne eller målingen.",
        "en": "{target}: the stored observation for {geography} in {year} ({value}) lies outside the new bounds."},
}
