"""Catalogue: messages of the tables import readers (``coverage/io``); keys start with ``import.tables.``.

The readers of files and tables (:mod:`coverage.io.tables`, :mod:`coverage.io.encoding`,
:mod:`coverage.io.xlsx`) record these codes with their values; the English text is the
message the readers wrote before they had codes, word for word. A message naming rows comes
in three forms, chosen by :func:`coverage.io.encoding.row_list`: ``.one`` (one row), ``.many``
(up to 20 rows) and ``.more`` (the first 20 and how many more); the rows are named by the phrase
every import catalogue shares (:mod:`coverage.i18n.rows`).
"""

from __future__ import annotations

from coverage.i18n.rows import by_rows, phrased, row_phrase

#: The header row, the first merged row and the merged span (:func:`coverage.i18n.rows.row_phrase`).
HEADER_ROW = row_phrase("{header_row}")
FIRST_ROW = row_phrase("{first}")
ROW_SPAN = row_phrase("{first}-{last}", "many")


MESSAGES: dict[str, tuple[str, str]] = {
    # -- the file itself (coverage.io.tables.check_file, file_kind) ----------------------------
    "import.tables.no_such_file": ("文件不存在：{path}", "no such file: {path}"),
    "import.tables.not_a_file": ("{path} 不是文件", "{path} is not a file"),
    "import.tables.empty_file": ("文件是空的（0 字节）", "the file is empty (0 bytes)"),
    "import.tables.file_too_large": (
        "文件大小为 {size_mb:.3g} MB，超过 {max_mb:g} MB 的导入上限（请拆分文件，或用 max_mb= 调高上限）",
        "file is {size_mb:.3g} MB, over the {max_mb:g} MB import limit (split it, or raise the limit with max_mb=)",
    ),
    "import.tables.zip_unreadable": (
        "无法作为矢量数据读取：不是 ZIP 压缩包（{detail}）",
        "cannot read as vector data: not a ZIP archive ({detail})",
    ),
    "import.tables.xlsx_damaged_or_renamed": (
        "无法作为 Excel 工作簿打开：{detail}（文件已损坏，或是其他格式改名为 .xlsx）",
        "cannot open as an Excel workbook: {detail} (damaged, or another format renamed .xlsx)",
    ),
    "import.tables.archive_too_large": (
        "压缩包解压后为 {size_mb:.3g} MB，超过压缩包 {cap_mb:g} MB 的上限（导入上限 {max_mb:g} MB 的 {factor} 倍；"
        "可用 max_mb= 调高）",
        "its contents expand to {size_mb:.3g} MB, over the {cap_mb:g} MB limit for archives ({factor}× the "
        "{max_mb:g} MB import limit; raise it with max_mb=)",
    ),
    "import.tables.xls_unsupported": (
        "不支持旧版 Excel .xls 文件：请将工作表另存为 .xlsx 或 CSV",
        "old Excel .xls files are not supported: save the sheet as .xlsx or CSV",
    ),
    "import.tables.unsupported_type": (
        "不支持的文件类型 {suffix!r}；可导入 CSV、XLSX、GeoJSON、GeoPackage、压缩的 Shapefile 或 GeoTIFF",
        "unsupported file type {suffix!r}; expected CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile or GeoTIFF",
    ),
    "import.tables.gz_too_large": (
        "解压后超过 {max_mb:g} MB 的导入上限（上限按解压后的数据计算；请拆分文件，或用 max_mb= 调高上限）",
        "decompresses to more than the {max_mb:g} MB import limit (the limit applies to the uncompressed data; "
        "split the file, or raise the limit with max_mb=)",
    ),
    "import.tables.gz_unreadable": ("无法解压：{detail}", "cannot decompress: {detail}"),
    # -- CSV --------------------------------------------------------------------------------------
    "import.tables.csv_no_text": (
        "文件中没有文字（只有空白或字节顺序标记）",
        "the file holds no text (only blanks or a byte-order mark)",
    ),
    "import.tables.csv_unclosed_quote": (
        "不是可读的 CSV 文件（第 {line} 行）：有一个引号没有闭合（'\"' 不成对），其后的全部内容会被读成一个单元格",
        "not a readable CSV file (line {line}): a quoted cell is never closed (an unmatched '\"'): everything "
        "after it would be one cell",
    ),
    "import.tables.csv_text_after_quote": (
        "不是可读的 CSV 文件（第 {line} 行）：引号格式有误（右引号 '\"' 之后应紧跟分隔符 {delimiter!r}；"
        "单元格内的引号要写成两个 \"\"）",
        "not a readable CSV file (line {line}): malformed quoting ({delimiter!r} expected after '\"')",
    ),
    "import.tables.csv_bad_quoting": (
        "不是可读的 CSV 文件（第 {line} 行）：引号格式有误（{detail}）",
        "not a readable CSV file (line {line}): malformed quoting ({detail})",
    ),
    **by_rows(
        "import.tables.csv_multiline_cells",
        "{where}的带引号单元格跨越多行（文件行 {lines}）：每条仍按一行读取；请检查是否漏了引号",
        "quoted cells run over several lines in {where} (file lines {lines}): each is read as one row; "
        "check no quote is missing",
    ),
    "import.tables.too_many_rows": (
        "数据行超过 {limit:,} 行（settings.MAX_FACILITY_ROWS），远多于任何区县的设施数量：请确认文件是否正确，或按图层拆分",
        "more than {limit:,} data rows (settings.MAX_FACILITY_ROWS), far more than any county's facilities: check "
        "this is the right file, or split it by layer",
    ),
    "import.tables.csv_encoding": ("按 CSV 读取，编码 {encoding}", "read as CSV, encoding {encoding}"),
    # -- the table: header, rows, merged cells (coverage.io.tables.read_table) -------------------
    "import.tables.no_header": (
        "前 {scan} 行中没有找到表头（至少需要 {need} 个可识别的列名；可用的列名：{accepted}）",
        "no header row found in the first {scan} rows (need at least {need} recognised column names; "
        "accepted: {accepted})",
    ),
    "import.tables.header_after_titles": phrased(
        "表头在{at}；已跳过其上方的 {titles} 行标题",
        "header found on {at}; {titles} title row(s) above it skipped", at=HEADER_ROW,
    ),
    **by_rows(
        "import.tables.cells_beyond_header",
        "最后一个表头列（{header}，第 {letter} 列）右侧的单元格未导入（{where}）：请给这些列加上表头后再导入",
        "cells beyond the last header column ({header}, column {letter}) ignored in {where}: give them a "
        "header to import them",
    ),
    "import.tables.empty_row": ("已跳过空行", "empty row skipped"),
    "import.tables.merged_header_column": phrased(
        "合并单元格 {ref} 把{header_at}表头和数据行连在一起；列 {header} {span}的数据读作空值",
        "merged cells {ref} join the header {header_at} to data rows; the data cells of column {header} "
        "in {span} are read as empty", header_at=HEADER_ROW, span=ROW_SPAN,
    ),
    "import.tables.merged_header_columns": phrased(
        "合并单元格 {ref} 把{header_at}表头和数据行连在一起；列 {headers} {span}的数据读作空值",
        "merged cells {ref} join the header {header_at} to data rows; the data cells of columns {headers} "
        "in {span} are read as empty", header_at=HEADER_ROW, span=ROW_SPAN,
    ),
    "import.tables.merged_copied_column_row": phrased(
        "合并单元格 {ref}：值 {value} 已填入列 {header} {span}的每个单元格；请确认它适用于每一行",
        "merged cells {ref}: the value {value} is copied to each cell of column {header}, {span}; "
        "check it applies to every row", span=FIRST_ROW,
    ),
    "import.tables.merged_copied_column_rows": phrased(
        "合并单元格 {ref}：值 {value} 已填入列 {header} {span}的每个单元格；请确认它适用于每一行",
        "merged cells {ref}: the value {value} is copied to each cell of column {header}, {span}; "
        "check it applies to every row", span=ROW_SPAN,
    ),
    "import.tables.merged_copied_columns_row": phrased(
        "合并单元格 {ref}：值 {value} 已填入列 {headers} {span}的每个单元格；请确认它适用于每一行",
        "merged cells {ref}: the value {value} is copied to each cell of columns {headers}, {span}; "
        "check it applies to every row", span=FIRST_ROW,
    ),
    "import.tables.merged_copied_columns_rows": phrased(
        "合并单元格 {ref}：值 {value} 已填入列 {headers} {span}的每个单元格；请确认它适用于每一行",
        "merged cells {ref}: the value {value} is copied to each cell of columns {headers}, {span}; "
        "check it applies to every row", span=ROW_SPAN,
    ),
    # -- workbooks (coverage.io.xlsx, the sheet choice in coverage.io.tables) --------------------
    "import.tables.xlsx_cannot_open": ("无法作为 Excel 工作簿打开：{detail}", "cannot open as an Excel workbook: {detail}"),
    "import.tables.xlsx_not_a_workbook": (
        "无法作为 Excel 工作簿打开：{detail}（文件已损坏，或不是 .xlsx 文件）",
        "cannot open as an Excel workbook: {detail} (damaged, or not an .xlsx)",
    ),
    "import.tables.xlsx_parts_unreadable": (
        "无法读取工作簿的共享字符串或样式：{detail}（工作簿可能已损坏）",
        "the workbook's shared strings or styles cannot be read: {detail} (damaged workbook?)",
    ),
    "import.tables.xlsx_part_too_large": (
        "工作簿的部件 {part!r} 解压后为 {mb:,.0f} MB，超过 {limit:,.0f} MB 的上限（settings.{setting}）："
        "文件不是由电子表格软件正常保存的，或已损坏；请用 Excel/WPS 打开后另存，或另存为 CSV",
        "the workbook part {part!r} expands to {mb:,.0f} MB, over the {limit:,.0f} MB limit (settings.{setting}): "
        "the file was not saved normally by a spreadsheet program, or is damaged; open it in Excel/WPS and save it "
        "again, or save it as CSV",
    ),
    "import.tables.xlsx_too_many_strings": (
        "工作簿的共享字符串超过 {limit:,} 个，超出上限（settings.MAX_XLSX_STRINGS）；请拆分，或另存为 CSV",
        "the workbook's shared-string table holds more than {limit:,} items, over the limit "
        "(settings.MAX_XLSX_STRINGS); split the workbook or save it as CSV",
    ),
    "import.tables.xlsx_string_too_long": (
        "工作簿的第 {item:,} 个共享字符串超过 {limit:,} 个字符（Excel 单元格的上限）：文件不是由电子表格软件正常保存的，"
        "或已损坏；请用 Excel/WPS 打开后另存，或另存为 CSV",
        "the workbook's shared string {item:,} is longer than {limit:,} characters (Excel's own limit for a cell): "
        "the file was not saved normally by a spreadsheet program, or is damaged; open it in Excel/WPS and save it "
        "again, or save it as CSV",
    ),
    "import.tables.xlsx_sheet_unreadable": (
        "无法读取工作表 {sheet!r}：{detail}（工作簿可能已损坏）",
        "sheet {sheet!r} cannot be read: {detail} (damaged workbook?)",
    ),
    "import.tables.xlsx_too_many_cells": (
        "工作表 {sheet!r} 的单元格超过 {limit:,} 个，超出上限（settings.MAX_XLSX_CELLS）；请拆分，或另存为 CSV",
        "sheet {sheet!r} holds more than {limit:,} cells, over the limit (settings.MAX_XLSX_CELLS); split it or "
        "save it as CSV",
    ),
    "import.tables.xlsx_span_too_large": (
        "工作表 {sheet!r} 的使用范围为 {extent}（{rows:,} 行 × {cols:,} 列 = {span:,} 个单元格，其中 {cells:,} 个有内容），"
        "超过 {limit:,} 个单元格的上限（settings.MAX_XLSX_SPAN）：请删除远离数据的零散单元格，或将工作表另存为 CSV",
        "sheet {sheet!r} uses the range {extent} ({rows:,} rows × {cols:,} columns = {span:,} cells, {cells:,} of "
        "them filled), over the {limit:,}-cell limit (settings.MAX_XLSX_SPAN): delete the stray cells far from the "
        "data, or save the sheet as CSV",
    ),
    "import.tables.xlsx_declared_range": (
        "工作表 {sheet!r} 声明的范围是 {declared}，实际使用 {extent}：按实际使用范围读取",
        "sheet {sheet!r} declares the range {declared} but uses {extent}: read as used",
    ),
    "import.tables.xlsx_formula_no_value": (
        "工作表 {sheet!r}：{n} 个公式单元格没有保存计算结果（{cells}），读作空值；请用 Excel/WPS 打开文件并保存，以存下计算结果",
        "sheet {sheet!r}: {n} formula cell(s) have no saved value ({cells}) and read as empty; open the file in "
        "Excel/WPS and save it to store the values",
    ),
    "import.tables.xlsx_formula_no_value_more": (
        "工作表 {sheet!r}：{n} 个公式单元格没有保存计算结果（{cells} 等，另有 {more} 个），读作空值；"
        "请用 Excel/WPS 打开文件并保存，以存下计算结果",
        "sheet {sheet!r}: {n} formula cell(s) have no saved value ({cells} and {more} more) and read as empty; "
        "open the file in Excel/WPS and save it to store the values",
    ),
    "import.tables.xlsx_no_sheet": ("工作簿中没有工作表", "the workbook holds no worksheet"),
    "import.tables.xlsx_no_such_sheet": (
        "工作簿中没有工作表 {sheet!r}（现有工作表：{sheets}）",
        "no sheet {sheet!r} in the workbook (sheets: {sheets})",
    ),
    "import.tables.xlsx_several_tables": (
        "{n} 个工作表都有数据表：{sheets}；请选择其一（--sheet 名称，sheet=名称），或把数据放在同一个工作表",
        "{n} sheets hold a table: {sheets}; choose one (--sheet NAME, sheet=NAME) or put the data on one sheet",
    ),
    "import.tables.xlsx_other_sheet_skipped": (
        "已读取工作表 {sheet!r}；工作表 {other!r}（{cells} 个单元格）没有表头，未读取",
        "read sheet {sheet!r}; sheets without a table header not read: {other!r} ({cells} cells)",
    ),
    "import.tables.xlsx_other_sheet_skipped_one_cell": (
        "已读取工作表 {sheet!r}；工作表 {other!r}（{cells} 个单元格）没有表头，未读取",
        "read sheet {sheet!r}; sheets without a table header not read: {other!r} ({cells} cell)",
    ),
    "import.tables.xlsx_other_sheets_skipped": (
        "已读取工作表 {sheet!r}；以下工作表没有表头，未读取：{others}",
        "read sheet {sheet!r}; sheets without a table header not read: {others}",
    ),
    "import.tables.xlsx_read_sheet": ("已读取工作表 {sheet!r}", "read sheet {sheet!r}"),
    # -- vector files (coverage.io.tables.read_vector) -------------------------------------------
    "import.tables.vector_unreadable": ("无法作为矢量数据读取：{detail}", "cannot read as vector data: {detail}"),
    "import.tables.gpkg_layer_not_table": (
        "GeoPackage 的图层 {name!r} 不是存有要素的数据表（而是数据库视图、虚拟表，或不存在），未读取："
        "视图的行是即时计算的，可能无穷无尽；请把该图层导出为普通数据表",
        "the GeoPackage layer {name!r} is not a table of stored features (but an SQL view, a virtual table, or "
        "missing) and is not read: a view computes its rows, possibly without end; export the layer as a plain table",
    ),
    "import.tables.geojson_too_deep": (
        "GeoJSON 中的数组或对象嵌套过深（成千上万层），无法读取：这不是地理信息软件写出的图层；请重新导出",
        "the GeoJSON nests arrays or objects too deep to read (thousands of levels): not a layer a GIS program "
        "writes; export it again",
    ),
    "import.tables.geojson_nested": (
        "{total} 个要素中有 {n} 个本身是要素集合（FeatureCollection）（要素 {features}，内含 {inside} 个要素）："
        "嵌套的要素集合不符合 GeoJSON 规范，会被跳过；请把每个要素都放在顶层列表中",
        "{n} of the {total} features are themselves FeatureCollections (features {features}, holding {inside} "
        "features): nested collections are not GeoJSON and would be skipped; put every feature in the top-level list",
    ),
    "import.tables.no_such_layer": (
        "文件中没有图层 {name!r}（现有图层：{layers}）",
        "no layer {name!r} in the file (layers: {layers})",
    ),
    "import.tables.several_layers": (
        "{n} 个图层都有要素：{layers}；请选择其一（--layer-name 名称，layer_name=名称）",
        "{n} layers hold features: {layers}; choose one (--layer-name NAME, layer_name=NAME)",
    ),
    "import.tables.read_layer": ("已读取图层 {name!r}", "read layer {name!r}"),
    "import.tables.shp_read_as_gbk": (
        "该 Shapefile 没有 .cpg（编码）文件，且其文字不是 Latin-1：已按 GBK/GB18030 读取；"
        "为确保无误，请补充一个注明编码的 .cpg 文件",
        "the Shapefile has no .cpg (encoding) file and its text is not Latin-1: read as GBK/GB18030; add a .cpg "
        "file saying the encoding to be sure",
    ),
    # -- text encodings and cleaning (coverage.io.encoding) --------------------------------------
    "import.tables.unknown_encoding": ("未知的编码 {encoding!r}", "unknown encoding {encoding!r}"),
    "import.tables.bad_bytes": (
        "不是有效的 {encoding} 编码：偏移 {offset} 处的字节 {byte:#04x} 无法解码",
        "not valid {encoding}: byte {byte:#04x} at offset {offset} cannot be decoded",
    ),
    "import.tables.undecodable": (
        "无法按 UTF-8、GBK/GB18030 或 Big5 解码该文件；请另存为 UTF-8 编码的 CSV（或指定编码：--encoding / encoding=）",
        "cannot decode the file as UTF-8, GBK/GB18030 or Big5; save it as UTF-8 CSV (or give the encoding: "
        "--encoding / encoding=)",
    ),
    "import.tables.legacy_simplified": (
        "不是 UTF-8：已按 {encoding} 解码（{n} 个汉字中 {share:.0%} 是常用简体字）。如果名称显示为乱码，"
        "请用 --encoding（encoding=）{other} 重新导入",
        "not UTF-8: decoded as {encoding} ({share:.0%} of its {n} Chinese characters are common simplified ones). "
        "If names look garbled, import again with --encoding (encoding=) {other}",
    ),
    "import.tables.legacy_simplified_others": (
        "不是 UTF-8：已按 {encoding} 解码（{n} 个汉字中 {share:.0%} 是常用简体字；其他候选编码：{others}）。"
        "如果名称显示为乱码，请用 --encoding（encoding=）{other} 重新导入",
        "not UTF-8: decoded as {encoding} ({share:.0%} of its {n} Chinese characters are common simplified ones; "
        "other candidates: {others}). If names look garbled, import again with --encoding (encoding=) {other}",
    ),
    "import.tables.legacy_traditional": (
        "不是 UTF-8：已按 {encoding} 解码（{n} 个汉字中 {share:.0%} 是常用繁体字）。如果名称显示为乱码，"
        "请用 --encoding（encoding=）{other} 重新导入",
        "not UTF-8: decoded as {encoding} ({share:.0%} of its {n} Chinese characters are common traditional ones). "
        "If names look garbled, import again with --encoding (encoding=) {other}",
    ),
    "import.tables.legacy_traditional_others": (
        "不是 UTF-8：已按 {encoding} 解码（{n} 个汉字中 {share:.0%} 是常用繁体字；其他候选编码：{others}）。"
        "如果名称显示为乱码，请用 --encoding（encoding=）{other} 重新导入",
        "not UTF-8: decoded as {encoding} ({share:.0%} of its {n} Chinese characters are common traditional "
        "ones; other candidates: {others}). If names look garbled, import again with --encoding (encoding=) {other}",
    ),
    **by_rows(
        "import.tables.control_chars_removed",
        "已删除{where}中的控制字符或孤立代理字符（{chars}）",
        "control characters or lone surrogates ({chars}) removed in {where}",
    ),
    **by_rows(
        "import.tables.replacement_chars",
        "{where}的文字含有 U+FFFD 替换字符（无法解码的字节）；请检查文件的编码",
        "text holds U+FFFD replacement characters (bytes that could not be decoded) in {where}; check the file's "
        "encoding",
    ),
    # -- town matching and reference data (coverage.io.matching, coverage.io.reference) ----------
    "import.tables.town_code_unknown": (
        "代码 {code} 不是江门市 {n} 个镇（街道）之一",
        "code {code} is not one of Jiangmen's {n} towns/streets",
    ),
    "import.tables.town_ambiguous": (
        "{value!r} 有歧义（{candidates}）；请补充区县",
        "{value!r} is ambiguous ({candidates}); add the district",
    ),
    "import.tables.town_unknown": (
        "{value!r} 不是江门市 {n} 个镇（街道）之一",
        "{value!r} is not one of Jiangmen's {n} towns/streets",
    ),
    "import.tables.area.city_boundary": ("江门市市界", "the Jiangmen city boundary"),
    "import.tables.area.town_boundaries": ("江门市镇街边界", "the Jiangmen town boundaries"),
    "import.tables.area.bbox": (
        "江门市范围框（东经 {west}-{east}，北纬 {south}-{north}）",
        "the Jiangmen bounding box ({west}-{east} E, {south}-{north} N)",
    ),
    "import.tables.shares.grid": ("默认人口网格的各区县比例", "the default population grid's district shares"),
    "import.tables.shares.census": ("2020 年人口普查的各区县比例", "the 2020 census district shares"),
    # -- the import command (coverage.commands.import_data) ---------------------------------------
    "import.tables.cli.layer_required": ("--kind facilities 需要指定 --layer", "--layer is required for --kind facilities"),
    "import.tables.cli.wrote": ("已写入 {rows} 行到 {path}", "wrote {rows} rows to {path}"),
}
