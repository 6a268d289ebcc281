# Chinese prose: ruff counts each CJK character as two columns, and breaking
# sentences mid-clause to fit would hurt the text more than long lines hurt the code.
# ruff: noqa: E501
"""Demo data for ``manage.py load_demo``: organisations, people and trade courses.

Pure data, no Django imports, so it can be read by tests and by the command
alike. The teaching content is written for real learners: the figures (current
ranges, dilutions, test values) are the ones found in Chinese textbooks,
national occupational skill standards and safety codes, and each lesson names
the standard it leans on where one exists. Everything about people and
enterprises is invented; resident ID numbers are synthetic but valid
(GB 11643 check digit), with Fujian region prefixes.

Lesson bodies are lists of ``(block_type, value)`` pairs with the block types
``heading`` (str), ``paragraph`` (HTML), ``safety_note`` ({"title", "text"}),
``steps`` (list of str, a numbered procedure) and ``tools`` (list of str).
"""

# One easy password for every demo login (8+ characters, not numeric, not on
# Django's common-password list). Demo only: never load this data in production.
DEMO_PASSWORD = "jiangxue-demo-2026"

# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------
# Ordered so that every parent comes before its children. ``parent`` is the
# parent's code (None for a root node). Kinds: union, enterprise, provider,
# funder, platform (lms.models.Organisation.Kind).

ORGANISATIONS = [
    # Platform operator
    {
        "code": "jx-platform",
        "name": "匠学平台运营中心",
        "kind": "platform",
        "parent": None,
        "region": "福建省福州市",
    },
    # Union tree: province → city → county/district → enterprise union
    {
        "code": "fj-fgh",
        "name": "福建省总工会",
        "kind": "union",
        "parent": None,
        "region": "福建省",
    },
    {
        "code": "fz-zgh",
        "name": "福州市总工会",
        "kind": "union",
        "parent": "fj-fgh",
        "region": "福建省福州市",
    },
    {
        "code": "fz-minhou-zgh",
        "name": "闽侯县总工会",
        "kind": "union",
        "parent": "fz-zgh",
        "region": "福建省福州市闽侯县",
    },
    {
        "code": "fz-minjiang-jg-gh",
        "name": "福州闽江精工机械制造有限公司工会",
        "kind": "union",
        "parent": "fz-minhou-zgh",
        "region": "福建省福州市闽侯县",
    },
    {
        "code": "xm-zgh",
        "name": "厦门市总工会",
        "kind": "union",
        "parent": "fj-fgh",
        "region": "福建省厦门市",
    },
    {
        "code": "xm-tongan-zgh",
        "name": "同安区总工会",
        "kind": "union",
        "parent": "xm-zgh",
        "region": "福建省厦门市同安区",
    },
    {
        "code": "xm-tonghe-dq-gh",
        "name": "厦门同和电气设备有限公司工会",
        "kind": "union",
        "parent": "xm-tongan-zgh",
        "region": "福建省厦门市同安区",
    },
    {
        "code": "qz-zgh",
        "name": "泉州市总工会",
        "kind": "union",
        "parent": "fj-fgh",
        "region": "福建省泉州市",
    },
    {
        "code": "qz-jinjiang-zgh",
        "name": "晋江市总工会",
        "kind": "union",
        "parent": "qz-zgh",
        "region": "福建省泉州市晋江市",
    },
    {
        "code": "qz-yikang-yl-gh",
        "name": "晋江颐康养老服务有限公司工会",
        "kind": "union",
        "parent": "qz-jinjiang-zgh",
        "region": "福建省泉州市晋江市",
    },
    # Enterprises (employers) matching the enterprise unions
    {
        "code": "fz-minjiang-jg",
        "name": "福州闽江精工机械制造有限公司",
        "kind": "enterprise",
        "parent": None,
        "region": "福建省福州市闽侯县",
    },
    {
        "code": "xm-tonghe-dq",
        "name": "厦门同和电气设备有限公司",
        "kind": "enterprise",
        "parent": None,
        "region": "福建省厦门市同安区",
    },
    {
        "code": "qz-yikang-yl",
        "name": "晋江颐康养老服务有限公司",
        "kind": "enterprise",
        "parent": None,
        "region": "福建省泉州市晋江市",
    },
    # Training providers
    {
        "code": "fj-gjxy",
        "name": "福建省工匠学院",
        "kind": "provider",
        "parent": None,
        "region": "福建省福州市",
    },
    {
        "code": "xm-jsxy",
        "name": "厦门技师学院",
        "kind": "provider",
        "parent": None,
        "region": "福建省厦门市",
    },
    # Funder
    {
        "code": "fj-hrss",
        "name": "福建省人力资源和社会保障厅",
        "kind": "funder",
        "parent": None,
        "region": "福建省",
    },
]

# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------
# ``role`` is an lms.models.Membership.Role value, granted in ``organisation``.
# Workers carry a ``worker`` block: legal name, a synthetic but valid resident
# ID number (region prefix 350121 闽侯县 / 350212 同安区 / 350582 晋江市, real
# birth date, ISO 7064 MOD 11-2 check digit) and the employer's code; their
# ``worker`` role sits in their enterprise union, so the union auditors above
# them see their records. Staff roles must enrol TOTP at first admin sign-in.

USERS = [
    # Workers
    {
        "email": "chen.zhiqiang@demo.jiangxue.example",
        "phone": "13905910101",
        "display_name": "陈志强",
        "role": "worker",
        "organisation": "fz-minjiang-jg-gh",
        "worker": {
            "legal_name": "陈志强",
            "id_number": "350121198803152715",
            "employer": "fz-minjiang-jg",
        },
    },
    {
        "email": "zheng.xiaolong@demo.jiangxue.example",
        "phone": "15860510202",
        "display_name": "郑小龙",
        "role": "worker",
        "organisation": "fz-minjiang-jg-gh",
        "worker": {
            "legal_name": "郑小龙",
            "id_number": "350121200105301533",
            "employer": "fz-minjiang-jg",
        },
    },
    {
        "email": "lin.meihua@demo.jiangxue.example",
        "phone": "13959210303",
        "display_name": "林美华",
        "role": "worker",
        "organisation": "xm-tonghe-dq-gh",
        "worker": {
            "legal_name": "林美华",
            "id_number": "350212199207083622",
            "employer": "xm-tonghe-dq",
        },
    },
    {
        "email": "huang.lizhen@demo.jiangxue.example",
        "phone": "18965950404",
        "display_name": "黄丽珍",
        "role": "worker",
        "organisation": "qz-yikang-yl-gh",
        "worker": {
            "legal_name": "黄丽珍",
            "id_number": "350582197511231446",
            "employer": "qz-yikang-yl",
        },
    },
    # Instructors
    {
        "email": "wu.guodong@demo.jiangxue.example",
        "phone": "13705910505",
        "display_name": "吴国栋",
        "role": "instructor",
        "organisation": "fj-gjxy",
    },
    {
        "email": "zheng.jianhua@demo.jiangxue.example",
        "phone": "13806020606",
        "display_name": "郑建华",
        "role": "instructor",
        "organisation": "xm-jsxy",
    },
    {
        "email": "xu.liping@demo.jiangxue.example",
        "phone": "13599260707",
        "display_name": "许丽萍",
        "role": "instructor",
        "organisation": "xm-jsxy",
    },
    # Union auditors: one at the province, one per city union
    {
        "email": "li.wenqing@demo.jiangxue.example",
        "phone": "13905910808",
        "display_name": "李文清",
        "role": "auditor",
        "organisation": "fj-fgh",
    },
    {
        "email": "he.xiaodong@demo.jiangxue.example",
        "phone": "13905910909",
        "display_name": "何晓东",
        "role": "auditor",
        "organisation": "fz-zgh",
    },
    {
        "email": "cai.yating@demo.jiangxue.example",
        "phone": "13959211010",
        "display_name": "蔡雅婷",
        "role": "auditor",
        "organisation": "xm-zgh",
    },
    {
        "email": "hong.zhiming@demo.jiangxue.example",
        "phone": "13905951111",
        "display_name": "洪志明",
        "role": "auditor",
        "organisation": "qz-zgh",
    },
    # Funder / programme manager
    {
        "email": "liu.zhenhua@demo.jiangxue.example",
        "phone": "13705911212",
        "display_name": "刘振华",
        "role": "funder",
        "organisation": "fj-hrss",
    },
    # Platform admin (also a Django superuser)
    {
        "email": "admin@demo.jiangxue.example",
        "phone": "13705911313",
        "display_name": "平台管理员",
        "role": "platform_admin",
        "organisation": "jx-platform",
        "superuser": True,
    },
]

# ---------------------------------------------------------------------------
# Trades, courses and lessons
# ---------------------------------------------------------------------------
# Skill levels (国家职业资格等级): 5 初级工, 4 中级工, 3 高级工, 2 技师, 1 高级技师.
# Occupation codes follow 中华人民共和国职业分类大典 (codes as used by the
# national occupational skill standards issued under the 2015 edition, which
# the 2022 edition keeps for these occupations). 焊工 and 家政服务员 were
# confirmed against the published standards; the others are noted below.

_WELDING_COURSES = [
    {
        "title": "焊条电弧焊安全操作与平焊基础",
        "slug": "smaw-basics",
        "level": 5,
        "study_hours": "16",
        "voucher_price": "0",
        "featured": True,
        "provider": "fj-gjxy",
        "instructors": ["wu.guodong@demo.jiangxue.example"],
        "summary": (
            "面向新入职焊工：焊接作业的个人防护与动火管理，焊条的选用与烘干，"
            "焊接电流的选择，引弧、运条、收弧的基本功，以及焊缝外观缺陷的识别。"
        ),
        "description": (
            "<p>焊条电弧焊设备简单、适用面广，是焊工入门的第一课。本课程按照"
            "《焊工国家职业技能标准》五级/初级工的要求编排，从安全防护讲起，"
            "以低碳钢板平敷焊为练习项目。</p>"
            "<p>学完本课程，你应当能够：正确穿戴防护用品并办理动火手续；根据焊条直径"
            "选择焊接电流；在 Q235 钢板上焊出宽窄一致、无明显缺陷的平敷焊道。</p>"
        ),
        "lessons": [
            {
                "title": "焊接作业安全防护与动火管理",
                "slug": "safety-and-hot-work",
                "summary": "电弧光、烟尘、触电和火灾是焊工的四大危险，逐一讲清防护办法。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "焊工面对的四类危险"),
                    (
                        "paragraph",
                        "<p>焊条电弧焊的电弧中心温度可达 5000 ℃ 以上，同时产生强烈的紫外线和红外线。"
                        "不戴面罩直视电弧，几秒钟就可能造成<b>电光性眼炎</b>，几小时后出现眼睛"
                        "刺痛、流泪、怕光。焊接烟尘中含有锰、氧化铁等有害物质，长期吸入会损害"
                        "肺和神经系统。交流焊机空载电压一般在 60～80 V，潮湿环境下足以致命。飞溅的"
                        "熔渣可飞出数米，引燃附近的油布、木材和油漆。</p>",
                    ),
                    ("heading", "个人防护用品"),
                    (
                        "tools",
                        [
                            "焊接面罩（手持式或头戴式），滤光片遮光号按电流选择，常用 10～12 号",
                            "阻燃焊工服，领口、袖口扣紧，不塞进裤腰",
                            "焊工手套（皮革，干燥完好）",
                            "绝缘防砸工作鞋",
                            "防尘口罩（KN95 及以上）",
                            "清渣用防护眼镜",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "动火作业必须先办许可",
                            "text": (
                                "在车间固定焊接工位以外的地点焊接，属于动火作业，必须按单位规定办理"
                                "动火作业许可（动火票），清除动火点周围 10 m 范围内的可燃物，"
                                "不能清除的用石棉布等不燃材料遮盖，配备灭火器并设专人监火。"
                                "作业结束后检查现场，确认无火种方可离开。"
                            ),
                        },
                    ),
                    ("heading", "开焊前的检查"),
                    (
                        "steps",
                        [
                            "检查焊机外壳已可靠接地（接零），一次电源线长度不超过 5 m，"
                            "二次线（焊把线）绝缘无破损、长度不超过 30 m。",
                            "检查焊钳绝缘完好，夹持焊条牢固；焊把线与焊机接线端子压紧，无松动发热。",
                            "地线（回路线）直接接在工件上，禁止借用厂房钢结构、管道、轨道作回路。",
                            "确认作业点通风良好；在容器、管道内焊接须强制通风并设专人监护。",
                            "穿戴好全部防护用品，提醒周围人员避开弧光或设置遮光屏。",
                            "确认动火手续齐全、灭火器在手边，再合闸开焊。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "更换焊条要戴手套",
                            "text": (
                                "更换焊条时必须戴干燥的焊工手套，身体不得同时接触工件和焊钳的导电部分。"
                                "在潮湿处或金属容器内作业时，脚下垫绝缘垫，并使用带空载自动断电"
                                "（防触电）装置的焊机。"
                            ),
                        },
                    ),
                ],
            },
            {
                "title": "焊条的选用、烘干与焊接电流",
                "slug": "electrodes-and-current",
                "summary": "酸性焊条与碱性焊条的区别，焊条烘干要求，按焊条直径选电流。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "常用焊条：E4303 与 E5015"),
                    (
                        "paragraph",
                        "<p><b>E4303（牌号 J422）</b>是钛钙型酸性焊条，焊缝金属抗拉强度不低于 "
                        "430 MPa，交、直流都能用，工艺性好、脱渣容易，适合一般低碳钢结构。"
                        "<b>E5015（牌号 J507）</b>是低氢钠型碱性焊条，抗拉强度不低于 490 MPa，"
                        "焊缝抗裂性和韧性好，用于压力容器、重要结构和 Q355 等低合金钢，"
                        "须使用直流反接（焊件接负极）。</p>",
                    ),
                    ("heading", "焊条的烘干"),
                    (
                        "paragraph",
                        "<p>焊条药皮受潮后会造成气孔，碱性焊条还会带来氢致裂纹。一般做法是："
                        "酸性焊条受潮时 100～150 ℃ 烘干 1 h；碱性焊条使用前 350 ℃ 左右烘干 "
                        "1～2 h，烘干后放入 100～150 ℃ 的保温筒，随用随取，重复烘干一般不超过 "
                        "3 次。具体温度以焊条说明书为准。</p>",
                    ),
                    ("heading", "按焊条直径选择焊接电流"),
                    (
                        "paragraph",
                        "<p>平焊时焊接电流的参考范围（低碳钢，E4303）：</p>"
                        "<ul><li>φ2.5 mm：60～90 A</li>"
                        "<li>φ3.2 mm：90～130 A</li>"
                        "<li>φ4.0 mm：140～200 A</li>"
                        "<li>φ5.0 mm：190～250 A</li></ul>"
                        "<p>立焊、横焊的电流比平焊小 10%～15%，仰焊小 15%～20%。"
                        "电流过大，焊条发红、飞溅大、易咬边；电流过小，引弧困难、易夹渣和未焊透。</p>",
                    ),
                    (
                        "steps",
                        [
                            "看图样和工艺卡，确认母材牌号和板厚，选定焊条型号。",
                            "按板厚选焊条直径：4～6 mm 板打底常用 φ3.2 mm，填充盖面可用 φ4.0 mm。",
                            "按上面的参考范围先取中间值，在试板上试焊。",
                            "观察熔池和飞溅：熔池清亮、声音均匀的“沙沙”声为合适，再微调电流。",
                            "把确认的参数记在施焊记录上。",
                        ],
                    ),
                    (
                        "tools",
                        ["焊条烘干箱", "焊条保温筒", "焊机电流表或钳形电流表", "试焊板"],
                    ),
                ],
            },
            {
                "title": "引弧、运条与收弧：平敷焊练习",
                "slug": "striking-and-weaving",
                "summary": "两种引弧方法、三个基本运条动作、三种收弧方法，在钢板上练出均匀的焊道。",
                "duration_minutes": 35,
                "body": [
                    ("heading", "引弧"),
                    (
                        "paragraph",
                        "<p><b>划擦法</b>：像划火柴一样，将焊条末端在焊件表面轻轻划擦一下，"
                        "随即提起 2～4 mm，电弧即被引燃，初学者容易掌握。"
                        "<b>直击法</b>：焊条垂直对准焊件轻敲后迅速提起，不会在焊件表面留下划痕，"
                        "适合位置狭小或表面要求高的地方。焊条粘住时，左右摆动几下即可脱开，"
                        "脱不开就先松开焊钳，千万不要用手去掰。</p>",
                    ),
                    ("heading", "运条的三个基本动作"),
                    (
                        "paragraph",
                        "<p>焊接时焊条同时做三个动作：沿焊条轴线向熔池<b>送进</b>（保持弧长），"
                        "沿焊接方向<b>移动</b>（决定焊道宽窄），以及必要时的<b>横向摆动</b>"
                        "（得到一定宽度的焊缝）。平焊时焊条与焊接方向成 70°～80°，"
                        "弧长一般不超过焊条直径，短弧焊接保护效果好、飞溅少。</p>",
                    ),
                    ("heading", "平敷焊练习步骤"),
                    (
                        "steps",
                        [
                            "取 Q235 钢板 300 mm × 200 mm × 8 mm，清除表面油污和铁锈，用石笔每隔 "
                            "30 mm 画一条直线。",
                            "装夹 φ3.2 mm E4303 焊条，电流调至 110 A 左右。",
                            "在线的起点前方 10～15 mm 处引弧，拉回起点稍作停留，预热后开始焊接。",
                            "保持短弧，焊条角度 70°～80°，匀速向前，做小幅锯齿形摆动。",
                            "换焊条时在弧坑前方约 10 mm 处引弧，拉回弧坑填满后继续前进（接头）。",
                            "到终点用划圈收弧法填满弧坑，再熄弧。",
                            "待焊道稍冷后戴护目镜清渣，检查焊道宽度是否一致、有无弧坑。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "清渣时注意眼睛",
                            "text": (
                                "刚焊完的熔渣温度很高且易崩飞，清渣时必须戴防护眼镜，"
                                "敲渣方向避开自己和他人的脸部。焊完的工件用焊钳夹持或石笔标注“热”，"
                                "防止他人徒手触碰烫伤。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        ["敲渣锤", "钢丝刷", "石笔", "钢直尺", "角向磨光机（清理坡口用）"],
                    ),
                ],
            },
            {
                "title": "焊缝外观检查与常见缺陷",
                "slug": "visual-inspection",
                "summary": "咬边、焊瘤、气孔、夹渣、未焊透、裂纹：怎么看出来，为什么会出现，怎么避免。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "外观检查看什么"),
                    (
                        "paragraph",
                        "<p>焊后先自检：焊缝宽度和余高是否均匀，与母材是否圆滑过渡，"
                        "表面有无裂纹、气孔、咬边、焊瘤和未填满的弧坑。用焊缝检验尺测量余高、"
                        "焊缝宽度和咬边深度，必要时用 5～10 倍放大镜观察。</p>",
                    ),
                    ("heading", "常见缺陷、原因与防止"),
                    (
                        "paragraph",
                        "<ul>"
                        "<li><b>咬边</b>：焊趾处母材被熔化成沟槽。原因是电流过大、电弧过长、"
                        "焊条角度不对。减小电流、压低电弧、摆动到两侧稍作停留。</li>"
                        "<li><b>焊瘤</b>：熔化金属流到未熔化的母材上。多见于立焊、仰焊，"
                        "电流过大或运条过慢。</li>"
                        "<li><b>气孔</b>：焊条受潮、坡口有油锈、电弧过长或碱性焊条用了长弧。"
                        "按规定烘干焊条、清理坡口、短弧焊接。</li>"
                        "<li><b>夹渣</b>：多层焊时层间清渣不干净或电流过小。</li>"
                        "<li><b>未焊透</b>：间隙过小、钝边过大、电流过小或焊速过快。</li>"
                        "<li><b>裂纹</b>：最危险的缺陷，不允许存在。发现裂纹须报告，"
                        "按返修工艺清除后重焊，不得直接在表面盖焊。</li>"
                        "</ul>",
                    ),
                    (
                        "safety_note",
                        {
                            "title": "不要掩盖缺陷",
                            "text": (
                                "用打磨或盖焊掩盖裂纹、未焊透等缺陷，会把隐患留给使用者。"
                                "发现缺陷要如实记录并按返修程序处理，这是焊工的职业底线。"
                            ),
                        },
                    ),
                    ("tools", ["焊缝检验尺", "放大镜（5～10 倍）", "手电筒", "钢丝刷"]),
                ],
            },
        ],
    },
    {
        "title": "CO₂ 气体保护焊板对接单面焊双面成形",
        "slug": "co2-plate-butt-weld",
        "level": 4,
        "study_hours": "24",
        "voucher_price": "380.00",
        "featured": True,
        "provider": "fj-gjxy",
        "instructors": ["wu.guodong@demo.jiangxue.example"],
        "summary": (
            "中级工必备：CO₂ 气体保护焊设备与气瓶安全，焊丝、电流、电压、干伸长的匹配，"
            "12 mm 板 V 形坡口对接的打底、填充和盖面，以及气孔和飞溅的防治。"
        ),
        "description": (
            "<p>CO₂ 气体保护焊（实芯焊丝熔化极气体保护焊）效率高、变形小，"
            "是机械制造和钢结构企业用得最多的焊接方法。本课程对应《焊工国家职业技能标准》"
            "四级/中级工的板对接项目。</p>"
            "<p>课程以 Q235 钢 12 mm 板 V 形坡口平焊对接为主线，讲解从装配、定位焊到打底、"
            "填充、盖面的完整过程，配合焊接参数计算和缺陷防治。</p>"
        ),
        "lessons": [
            {
                "title": "设备组成与气瓶安全",
                "slug": "equipment-and-cylinders",
                "summary": "焊接电源、送丝机、焊枪和供气系统；CO₂ 气瓶的搬运、存放和使用。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "设备由四部分组成"),
                    (
                        "paragraph",
                        "<p>CO₂ 焊设备包括：直流焊接电源（平特性），送丝机构，焊枪，"
                        "以及由气瓶、预热器、减压流量计和电磁气阀组成的供气系统。"
                        "液态 CO₂ 在减压时大量吸热，容易把减压器冻住，所以气瓶出口要装"
                        "<b>预热器</b>（一般用 36 V 电源）。</p>",
                    ),
                    (
                        "safety_note",
                        {
                            "title": "气瓶安全",
                            "text": (
                                "气瓶必须直立放置并用链条固定，防止倾倒；远离热源和明火，"
                                "夏季不得在烈日下暴晒；搬运时戴好瓶帽，严禁滚动、抛掷。"
                                "开启瓶阀时人站在侧面，缓慢开启。瓶内气体不得用尽，应留有余压。"
                                "在狭小空间使用 CO₂ 要注意通风，高浓度 CO₂ 会使人窒息。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "气瓶就位并固定，检查瓶阀、减压流量计无油污（手和工具也不得沾油）。",
                            "接通预热器电源，预热数分钟。",
                            "缓慢打开瓶阀，检查各接头无漏气（用肥皂水，不得用明火）。",
                            "按焊枪开关试气，调整流量，细丝短路过渡一般 10～20 L/min。",
                            "检查导电嘴与焊丝直径相符，喷嘴内无飞溅堵塞。",
                            "收工时先关瓶阀，再按焊枪开关放尽管内余气，最后断开电源。",
                        ],
                    ),
                    (
                        "tools",
                        [
                            "CO₂ 焊机（含送丝机、焊枪）",
                            "CO₂ 气瓶、预热器、减压流量计",
                            "导电嘴（φ1.2 mm）",
                            "尖嘴钳、喷嘴清理工具",
                            "防飞溅剂",
                        ],
                    ),
                ],
            },
            {
                "title": "焊接参数：电流、电压与干伸长",
                "slug": "welding-parameters",
                "summary": "短路过渡的电流电压匹配公式，焊丝干伸长和气体流量怎么定。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "焊丝"),
                    (
                        "paragraph",
                        "<p>低碳钢和 Q355 等低合金钢常用 <b>ER50-6</b> 实芯焊丝，"
                        "直径 φ1.0 mm 和 φ1.2 mm 最常见。焊丝表面镀铜，防锈并改善导电。</p>",
                    ),
                    ("heading", "电流与电压要匹配"),
                    (
                        "paragraph",
                        "<p>送丝速度决定焊接电流，电源的电压旋钮决定电弧电压。短路过渡焊接时，"
                        "电弧电压可按经验公式估算：<b>U = 0.04 I + 16（± 1.5）V</b>（I 小于 300 A 时）。"
                        "例如焊接电流 150 A，电弧电压约 22 V。电压偏高，电弧变长、飞溅大颗粒；"
                        "电压偏低，焊丝顶撞熔池、电弧不稳。</p>",
                    ),
                    ("heading", "干伸长"),
                    (
                        "paragraph",
                        "<p>焊丝从导电嘴伸出的长度叫干伸长，一般取焊丝直径的 10 倍左右，"
                        "φ1.2 mm 焊丝约 12～15 mm。干伸长过长，焊丝电阻热增大、熔深变浅、"
                        "保护变差；过短，喷嘴容易被飞溅堵塞。</p>",
                    ),
                    (
                        "steps",
                        [
                            "根据板厚和焊道层次选定电流（例如打底 110～130 A，填充盖面 140～180 A）。",
                            "用经验公式算出电压的初始值并设定。",
                            "在试板上焊一段，听声音、看飞溅，稳定的短路过渡发出均匀的“啪啪”声。",
                            "微调电压，直到飞溅最少、焊道成形良好。",
                            "记录最终参数：电流、电压、气体流量、干伸长、焊接速度。",
                        ],
                    ),
                ],
            },
            {
                "title": "12 mm 板 V 形坡口对接平焊",
                "slug": "v-groove-butt-weld",
                "summary": "坡口准备、装配间隙、反变形，打底层、填充层和盖面层的操作要领。",
                "duration_minutes": 45,
                "body": [
                    ("heading", "试件准备"),
                    (
                        "paragraph",
                        "<p>试件为 Q235 钢板两块，每块 300 mm × 125 mm × 12 mm，"
                        "开 60° V 形坡口（每侧 30°），钝边 0.5～1 mm。坡口及两侧 20 mm 范围内"
                        "打磨至露出金属光泽。</p>",
                    ),
                    (
                        "steps",
                        [
                            "装配：始焊端间隙约 3 mm，终焊端约 3.5 mm（终端放大以抵消焊接时的收缩）。",
                            "预置反变形约 3°，错边量不大于 1 mm。",
                            "在试件两端坡口内定位焊，长度 10～15 mm，定位焊缝两端打磨成斜坡。",
                            "打底层：从间隙小的一端起焊，焊枪做小幅锯齿形或月牙形摆动，"
                            "电弧在坡口两侧稍作停留，熔孔保持比间隙大 0.5～1 mm，保证背面成形。",
                            "清理打底焊道表面飞溅和氧化物，凸起处打磨平整。",
                            "填充层：电流适当加大，摆动到坡口两侧停留，最后一层填充焊道"
                            "低于母材表面 1.5～2 mm，不得破坏坡口棱边。",
                            "盖面层：摆动幅度比坡口宽出两侧各 0.5～1.5 mm，速度均匀，"
                            "余高控制在 0～3 mm。",
                            "焊后检查正反面成形，不得锤击、不得补焊修饰。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "CO₂ 焊弧光更强",
                            "text": (
                                "CO₂ 焊的电弧紫外线强度比焊条电弧焊更大，飞溅也多，"
                                "必须戴好面罩、扣紧领口袖口，相邻工位之间设置遮光屏。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        ["角向磨光机", "焊缝检验尺", "钢直尺", "錾子和手锤", "钢丝刷"],
                    ),
                ],
            },
            {
                "title": "气孔与飞溅的防治",
                "slug": "porosity-and-spatter",
                "summary": "CO₂ 焊最常见的两个问题：从气体、风、焊丝、喷嘴四方面找原因。",
                "duration_minutes": 20,
                "body": [
                    ("heading", "气孔从哪里来"),
                    (
                        "paragraph",
                        "<ul>"
                        "<li>气体流量过小或过大（过大产生紊流，反而卷入空气）。</li>"
                        "<li>现场有风：风速超过 2 m/s 时必须设置防风措施。</li>"
                        "<li>喷嘴被飞溅堵塞，或喷嘴到工件距离过大。</li>"
                        "<li>焊丝、坡口有锈、油、水；CO₂ 气体纯度不够或含水。</li>"
                        "<li>预热器未通电，减压器结冰导致供气中断。</li>"
                        "</ul>",
                    ),
                    ("heading", "减少飞溅"),
                    (
                        "paragraph",
                        "<p>飞溅大多因为电压与电流不匹配、干伸长过长或焊枪角度过大。"
                        "按上一课的公式重新匹配电压，焊枪后倾角控制在 10°～20°，"
                        "并在喷嘴内涂防飞溅剂。</p>",
                    ),
                    (
                        "steps",
                        [
                            "出现气孔先停焊，检查气瓶压力和流量计读数。",
                            "检查预热器是否通电、减压器是否结霜。",
                            "取下喷嘴清理飞溅，检查分流器是否完好。",
                            "检查工位风速，必要时设挡风板。",
                            "用砂轮把带气孔的焊道磨去后重新焊接。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "清理喷嘴前断电",
                            "text": "拆装喷嘴、导电嘴前先松开焊枪开关并确认送丝停止，防止焊丝突然送出伤手。",
                        },
                    ),
                ],
            },
        ],
    },
]

_FITTING_COURSES = [
    {
        "title": "钳工基本操作：划线、锯削与锉削",
        "slug": "marking-sawing-filing",
        "level": 5,
        "study_hours": "20",
        "voucher_price": "0",
        "featured": True,
        "provider": "fj-gjxy",
        "instructors": ["wu.guodong@demo.jiangxue.example"],
        "summary": "钳工三项基本功：按图划线与冲眼，手锯的安装与锯削要领，锉刀的选用、站姿与平面锉削。",
        "description": (
            "<p>“钳工一把锉”：划线、锯削、锉削是装配、机修和工具钳工共同的基本功。"
            "本课程以制作一块 60 mm × 60 mm × 8 mm 的四方块为练习件，"
            "要求尺寸公差 ±0.1 mm、平面度 0.05 mm。</p>"
        ),
        "lessons": [
            {
                "title": "划线：基准、工具与冲眼",
                "slug": "marking-out",
                "summary": "如何选择划线基准，涂色、划线和打样冲眼的方法。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "先定基准"),
                    (
                        "paragraph",
                        "<p>划线基准应尽量与图样上的设计基准一致。常见三种情况："
                        "以两个互相垂直的平面（或直线）为基准；以两条互相垂直的中心线为基准；"
                        "以一个平面和一条中心线为基准。</p>",
                    ),
                    (
                        "tools",
                        [
                            "划线平台",
                            "高度游标卡尺（带划线量爪）",
                            "划针、划规",
                            "90° 角尺、钢直尺",
                            "样冲、手锤",
                            "涂料：铸锻件毛坯用石灰水，已加工表面用蓝油（紫色）",
                        ],
                    ),
                    (
                        "steps",
                        [
                            "清理工件，去除毛刺、油污，在划线部位均匀涂一层薄涂料。",
                            "看清图样，确定划线基准，把工件基准面贴在平台或角尺上。",
                            "用高度游标卡尺按尺寸划出各水平线，划线时量爪与工件表面成一定倾角，一次划成。",
                            "翻转 90° 以另一基准划出垂直方向的线。",
                            "用划规划出圆弧和圆，圆心先打样冲眼。",
                            "在线条的交点、圆心和线上每隔一定距离打样冲眼，先斜放对准再扶正敲击。",
                            "对照图样检查全部线条，无误后再加工。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "划针和划规要收好",
                            "text": "划针尖、划规脚锋利，用完套上护套或插在工具架上，不得放在衣袋里。",
                        },
                    ),
                ],
            },
            {
                "title": "锯削：锯条安装与起锯",
                "slug": "hacksawing",
                "summary": "锯条齿距的选择、锯齿朝向、起锯角与锯削速度。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "锯条的选择和安装"),
                    (
                        "paragraph",
                        "<p>常用锯条长 300 mm（两端安装孔中心距）。锯削软材料和厚工件用粗齿"
                        "（齿距约 1.8 mm），锯削硬材料、薄板和薄壁管用细齿（齿距约 0.8～1.0 mm），"
                        "一般钢件用中齿。原则是锯削时至少有 2～3 个齿同时参与切削。"
                        "安装时<b>锯齿尖朝前</b>，松紧适当，用手扳动锯条感觉硬实即可。</p>",
                    ),
                    (
                        "steps",
                        [
                            "工件夹在台虎钳左侧，锯缝离钳口约 20 mm，锯线保持铅垂。",
                            "右手握锯柄，左手扶锯弓前端，站位与锉削相同。",
                            "起锯：用左手拇指靠住锯条定位，起锯角约 15°，行程短、压力小。",
                            "锯出约 2～3 mm 深的锯口后，逐渐把锯弓放平，正常锯削。",
                            "推锯时加压切削，回程不加压、稍微抬起；速度每分钟 20～40 次，"
                            "锯程不少于锯条全长的 2/3。",
                            "快锯断时减小压力和速度，左手扶住将要落下的部分。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "防止锯条崩断伤人",
                            "text": (
                                "锯条过紧或过松、锯削时突然加压或扭动锯弓，都容易使锯条折断弹出。"
                                "锯削过程中保持锯弓平直，发现锯缝歪斜时不要强行扭正，应从反面重新起锯。"
                            ),
                        },
                    ),
                    ("tools", ["手锯（可调式锯弓）", "锯条（粗、中、细齿）", "台虎钳", "钢直尺"]),
                ],
            },
            {
                "title": "锉削：站姿、用力与平面检查",
                "slug": "filing",
                "summary": "锉刀的种类和选用，锉削姿势与两手用力的变化，用刀口尺透光法检查平面度。",
                "duration_minutes": 35,
                "body": [
                    ("heading", "锉刀的选用"),
                    (
                        "paragraph",
                        "<p>按断面形状有平锉、方锉、三角锉、半圆锉和圆锉；按齿纹粗细有粗齿、"
                        "中齿、细齿和油光锉。加工余量大、材料软时用粗齿，精加工用细齿；"
                        "锉刀断面形状要和加工表面形状相适应。</p>",
                    ),
                    ("heading", "姿势与用力"),
                    (
                        "paragraph",
                        "<p>站在台虎钳左后方，左脚与台虎钳轴线约成 30°，右脚约成 75°，"
                        "身体随锉刀前后自然摆动。锉刀要保持水平：推锉开始时左手压力大、右手压力小，"
                        "推到中间两手压力相等，推到前端时右手压力大、左手压力小；回程不加压。"
                        "锉削速度每分钟约 40 次。</p>",
                    ),
                    (
                        "steps",
                        [
                            "工件夹在台虎钳中部，锉削面高出钳口约 15 mm；已加工面垫铜钳口。",
                            "用交叉锉法粗锉，快速去除余量，同时从锉痕看出高低点。",
                            "改用顺向锉精锉，锉纹一致、表面整齐。",
                            "用刀口尺在纵向、横向和对角线方向透光检查，光隙均匀微弱为平。",
                            "用 90° 角尺检查相邻面垂直度，用游标卡尺检查尺寸。",
                            "最后用推锉法修光，去除棱边毛刺。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "锉刀必须装柄",
                            "text": (
                                "没有装柄或手柄松动的锉刀不得使用，锉舌会刺伤手掌。"
                                "不得用嘴吹锉屑（防止进眼），用毛刷清理；锉刀不得当撬棒或手锤使用，"
                                "锉刀质硬而脆，会断裂飞出。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        [
                            "平锉（粗、中、细齿）",
                            "刀口尺",
                            "90° 角尺",
                            "游标卡尺",
                            "铜钳口",
                            "锉刀刷",
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "title": "台钻钻孔与攻螺纹",
        "slug": "drilling-and-tapping",
        "level": 4,
        "study_hours": "16",
        "voucher_price": "260.00",
        "featured": False,
        "provider": "fj-gjxy",
        "instructors": ["wu.guodong@demo.jiangxue.example"],
        "summary": "台式钻床的安全操作，麻花钻的顶角与切削用量，攻螺纹底孔直径的计算与攻丝要领。",
        "description": (
            "<p>钻孔和攻螺纹是装配、机修中最常做的孔加工。本课程讲清台钻的安全规矩，"
            "转速的计算，以及从底孔到螺纹的完整做法，练习件为在 Q235 钢板上加工 "
            "M8、M10 螺纹孔。</p>"
        ),
        "lessons": [
            {
                "title": "台式钻床安全操作",
                "slug": "drill-press-safety",
                "summary": "钻床上最常见的伤害是手套被卷入和工件飞转，规矩一条都不能少。",
                "duration_minutes": 20,
                "body": [
                    (
                        "safety_note",
                        {
                            "title": "操作钻床严禁戴手套",
                            "text": (
                                "旋转的钻头和主轴会把手套、袖口、长发卷进去，造成严重的手部和头部伤害。"
                                "操作前扣紧袖口，长发盘入工作帽，戴防护眼镜，不戴手套。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "开机前检查钻床各部位，手柄、皮带罩齐全，工作台上无杂物。",
                            "工件用平口钳或压板夹紧，小工件严禁用手直接握持钻孔。",
                            "钻夹头钥匙用完立即取下，再开机。",
                            "变换转速须先停机，等主轴完全停止后再调整皮带位置。",
                            "钻孔将要钻通时减小进给，防止钻头突然切入使工件随钻头转动。",
                            "清除切屑用毛刷或铁钩，严禁用手拉或用嘴吹。",
                            "离开钻床必须停机断电。",
                        ],
                    ),
                    ("tools", ["台式钻床", "平口钳", "钻夹头及钥匙", "毛刷、铁钩", "防护眼镜"]),
                ],
            },
            {
                "title": "麻花钻与切削用量",
                "slug": "twist-drill-and-speed",
                "summary": "标准麻花钻的顶角，按切削速度计算主轴转速，冷却润滑的选择。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "麻花钻"),
                    (
                        "paragraph",
                        "<p>标准高速钢麻花钻的顶角为 <b>118° ± 2°</b>，两条主切削刃应对称等长。"
                        "刃磨后可用样板检查；两刃不对称会使孔径扩大、钻头单边磨损。</p>",
                    ),
                    ("heading", "转速怎么算"),
                    (
                        "paragraph",
                        "<p>主轴转速 n = 1000 v ÷ (π d)，v 为切削速度（m/min），d 为钻头直径（mm）。"
                        "高速钢钻头钻低碳钢时 v 约取 15～25 m/min。例：φ10 mm 钻头，取 v = 20 m/min，"
                        "n ≈ 1000 × 20 ÷ (3.14 × 10) ≈ 637 r/min，选钻床上相近的一档。"
                        "钻头越大转速越低。钻钢件用乳化液冷却，钻铸铁一般不加冷却液。</p>",
                    ),
                    (
                        "steps",
                        [
                            "按划线在孔中心打样冲眼，冲眼稍大些便于钻头定心。",
                            "先用小钻头（或中心钻）钻出定位浅坑，检查是否偏心，偏了及时借正。",
                            "孔径大于 φ12 mm 时先钻小孔再扩孔。",
                            "钻深孔时经常退出钻头排屑。",
                            "钻完用游标卡尺或塞规检查孔径和位置。",
                        ],
                    ),
                    (
                        "tools",
                        ["麻花钻（φ5～φ12 mm）", "中心钻", "钻头刃磨样板", "乳化液", "游标卡尺"],
                    ),
                ],
            },
            {
                "title": "攻螺纹：底孔直径与攻丝要领",
                "slug": "tapping",
                "summary": "用 D − P 算底孔，头锥二锥配合使用，每转一圈倒回断屑。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "底孔直径"),
                    (
                        "paragraph",
                        "<p>攻丝时丝锥对材料有挤压，底孔直径要略大于螺纹小径。"
                        "钢件等塑性材料：<b>D<sub>底</sub> = D − P</b>；铸铁等脆性材料："
                        "D<sub>底</sub> = D − (1.05～1.1) P（D 为螺纹大径，P 为螺距）。"
                        "常用粗牙螺纹钢件底孔：M6 × 1 用 φ5.0 mm，M8 × 1.25 用 φ6.8 mm，"
                        "M10 × 1.5 用 φ8.5 mm，M12 × 1.75 用 φ10.2 mm。"
                        "盲孔的钻孔深度 = 所需螺纹深度 + 0.7 D。</p>",
                    ),
                    (
                        "steps",
                        [
                            "按表钻出底孔，孔口用 90° 锪钻倒角，便于丝锥切入。",
                            "工件夹正，用头锥起攻：两手均匀加压旋转，切入 1～2 圈后用 90° 角尺"
                            "从两个方向检查丝锥是否垂直。",
                            "丝锥切入后不再加压，每顺转 1/2～1 圈倒转 1/4～1/2 圈，把切屑断开。",
                            "钢件攻丝加机油润滑。",
                            "头锥攻完后换二锥，先用手旋入已攻出的螺纹，再用铰杠攻削。",
                            "攻完用螺纹塞规或标准螺钉检查。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "别把丝锥折在孔里",
                            "text": (
                                "感到阻力突然增大时立即停止，倒转退出清屑，不得强行扳动。"
                                "小规格丝锥选短铰杠，两手用力要平衡，防止丝锥折断在孔内造成工件报废。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        ["丝锥（头锥、二锥）", "铰杠", "90° 锪钻", "90° 角尺", "螺纹塞规", "机油"],
                    ),
                ],
            },
        ],
    },
]

_SHEET_METAL_COURSES = [
    {
        "title": "冷作钣金：展开放样、剪切与折弯",
        "slug": "layout-shearing-bending",
        "level": 5,
        "study_hours": "24",
        "voucher_price": "320.00",
        "featured": False,
        "provider": "fj-gjxy",
        "instructors": ["wu.guodong@demo.jiangxue.example"],
        "summary": "三种展开方法和板厚处理，剪板机安全操作，折弯机下模选择与折弯展开尺寸计算。",
        "description": (
            "<p>冷作钣金工把钢板变成机柜、罩壳、管道和容器。本课程覆盖从图样到零件的三步："
            "展开放样、剪切下料、折弯成形，练习件为一只 1.5 mm 冷轧板电气箱门。</p>"
        ),
        "lessons": [
            {
                "title": "展开放样与板厚处理",
                "slug": "pattern-development",
                "summary": "平行线法、放射线法、三角形法各适合什么构件，为什么要按中性层展开。",
                "duration_minutes": 35,
                "body": [
                    ("heading", "三种展开方法"),
                    (
                        "paragraph",
                        "<ul>"
                        "<li><b>平行线法</b>：构件表面素线互相平行，如棱柱、圆柱、等径弯头。</li>"
                        "<li><b>放射线法</b>：素线交于一点，如正圆锥、棱锥及其截体。</li>"
                        "<li><b>三角形法</b>：把表面分成若干三角形逐个展开，适用于天圆地方等"
                        "不规则过渡接头，是通用方法。</li>"
                        "</ul>",
                    ),
                    ("heading", "板厚处理"),
                    (
                        "paragraph",
                        "<p>钢板弯曲时外层伸长、内层缩短，中间长度不变的一层叫<b>中性层</b>，"
                        "展开长度应按中性层计算。卷圆筒时中性层近似取在板厚中间："
                        "展开长度 L = π(D<sub>外</sub> − t) = π(D<sub>内</sub> + t)。"
                        "例：外径 500 mm、板厚 6 mm 的圆筒，L = 3.1416 × 494 ≈ 1552 mm。</p>",
                    ),
                    (
                        "steps",
                        [
                            "读懂图样，弄清构件形状、尺寸和板厚，确定接缝位置。",
                            "按 1:1 画出需要的视图（放样图），求出各素线实长。",
                            "选择展开方法画出展开图，按中性层尺寸修正。",
                            "加放余量：剪切余量、焊接收缩量、机加工余量按工艺卡确定。",
                            "制作样板，核对无误后在板料上号料并标注零件编号。",
                        ],
                    ),
                    (
                        "tools",
                        ["放样平台", "钢卷尺、钢直尺", "划规、地规", "石笔、划针", "样板用薄铁皮"],
                    ),
                ],
            },
            {
                "title": "剪板机安全操作与剪切下料",
                "slug": "shearing",
                "summary": "剪板机的额定能力、刀片间隙调整，双人操作的配合规矩。",
                "duration_minutes": 25,
                "body": [
                    (
                        "paragraph",
                        "<p>剪板机铭牌上的剪切厚度（如 QC12Y-6×2500 为 6 mm）是对抗拉强度约 "
                        "450 MPa 的低碳钢而言的；剪不锈钢等高强度材料，可剪厚度要相应减小。"
                        "刀片间隙按板厚调整，板越厚间隙越大，具体数值查设备说明书的间隙表。"
                        "间隙过大，切口毛刺大、板料被拉入；过小，刀刃容易崩损。</p>",
                    ),
                    (
                        "safety_note",
                        {
                            "title": "手不进压料脚和护栏以内",
                            "text": (
                                "剪切时手指与刀口保持 200 mm 以上距离，不得把手伸进压料脚和防护栏内。"
                                "两人操作时由一人指挥、一人踩脚踏开关，确认对方双手离开后再剪。"
                                "不得剪切超过额定厚度的板料、淬火钢、铸铁，不得叠板剪切。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "开机空运转几次，检查离合、制动、压料和挡料装置正常。",
                            "按板厚调好刀片间隙，按下料尺寸调好后挡料。",
                            "剪第一件后检查尺寸和对角线，合格后再批量剪切。",
                            "长板料两人抬送，送料时板面放平、靠紧挡料。",
                            "剪下的零件去毛刺、标记编号，余料整齐码放。",
                            "工作结束后切断电源，清理刀口附近的碎料。",
                        ],
                    ),
                    ("tools", ["剪板机", "钢卷尺", "直角尺", "防割手套（搬运板料时用）"]),
                ],
            },
            {
                "title": "折弯：下模选择与展开尺寸",
                "slug": "press-brake-bending",
                "summary": "下模 V 口宽度约取板厚 8 倍，按折弯扣除算展开，注意回弹。",
                "duration_minutes": 35,
                "body": [
                    ("heading", "选下模"),
                    (
                        "paragraph",
                        "<p>自由折弯时下模 V 形槽口宽度一般取板厚的 6～10 倍，常用 <b>8 倍</b>："
                        "1.5 mm 板选 V12 的下模。V 口越宽，所需折弯力越小，但内圆角越大；"
                        "最短折边长度约为 V 口宽度的 0.7 倍，太短会滑入槽内。</p>",
                    ),
                    ("heading", "展开尺寸"),
                    (
                        "paragraph",
                        "<p>直角折弯的零件，展开长度 = 各外形尺寸之和 − 折弯扣除 × 折弯次数。"
                        "折弯扣除与材料、板厚、模具有关，应在本机上试折测定，"
                        "例如 1.5 mm 冷轧板用 V12 下模时约为 2.5 mm。"
                        "钢板折弯后会回弹，需略微过折，用角度尺检查。</p>",
                    ),
                    (
                        "steps",
                        [
                            "按零件图确定折弯顺序：先折内侧、后折外侧，避免后道折弯与模具干涉。",
                            "安装上下模并对中，设定后挡料尺寸和滑块下死点（或角度）。",
                            "用同批材料试折，测量角度和尺寸，修正折弯扣除和回弹补偿。",
                            "正式折弯：板料靠紧后挡料，双手托板，踩下脚踏开关。",
                            "每批抽检角度和外形尺寸，首件交检验确认。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "手不进上下模之间",
                            "text": (
                                "折弯时手托住板料外侧，严禁把手放在上下模之间。板料折弯时会向上翘起，"
                                "人不要站在板料翘起的方向；长料两人操作时只能由一人控制脚踏开关。"
                            ),
                        },
                    ),
                    ("tools", ["数控折弯机", "上模、V 形下模", "万能角度尺", "游标卡尺", "钢卷尺"]),
                ],
            },
        ],
    },
]

_ELECTRICIAN_COURSES = [
    {
        "title": "低压电工作业安全技术",
        "slug": "low-voltage-safety",
        "level": 5,
        "study_hours": "24",
        "voucher_price": "0",
        "featured": True,
        "provider": "xm-jsxy",
        "instructors": ["zheng.jianhua@demo.jiangxue.example"],
        "summary": (
            "停电、验电、挂接地线、悬挂标示牌四项技术措施，剩余电流动作保护器的选用与试验，"
            "万用表和兆欧表的正确使用，触电急救与心肺复苏。"
        ),
        "description": (
            "<p>本课程对应《电工国家职业技能标准》五级/初级工的安全要求，也是低压电工"
            "特种作业操作证考试的重点内容。注意：从事低压电工作业必须取得应急管理部门"
            "颁发的特种作业操作证，本课程的学习不能代替取证考核。</p>"
        ),
        "lessons": [
            {
                "title": "停电检修的安全技术措施",
                "slug": "lockout-procedure",
                "summary": "停电—验电—装设接地线—悬挂标示牌和装设遮栏，顺序不能颠倒。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "组织措施与技术措施"),
                    (
                        "paragraph",
                        "<p>在电气设备上工作，保证安全的<b>组织措施</b>是：工作票制度，工作许可制度，"
                        "工作监护制度，工作间断、转移和终结制度。保证安全的<b>技术措施</b>是："
                        "停电，验电，装设接地线，悬挂标示牌和装设遮栏。</p>",
                    ),
                    (
                        "steps",
                        [
                            "停电：断开检修设备各方面的电源，包括可能反送电的电源（如双电源、"
                            "自备发电机、电容器），必须有明显的断开点（拉开隔离开关或取下熔断器）。",
                            "验电：使用电压等级相符、试验合格的验电器，先在确知有电的设备上"
                            "试验验电器良好，再在检修设备进出线两侧逐相验电。",
                            "装设接地线：确认无电后立即装设。先接接地端，后接导体端，"
                            "接触必须良好；拆除时顺序相反。接地线用截面不小于 25 mm² 的多股软铜线，"
                            "严禁用缠绕的方法接地或短路。",
                            "悬挂标示牌：在断开的开关操作把手上挂“禁止合闸，有人工作！”，"
                            "工作地点挂“在此工作！”，临近带电部分装设遮栏并挂“止步，高压危险！”。",
                            "工作结束，清点人员和工具，拆除接地线和标示牌，办理工作终结后方可送电。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "没验电就是有电",
                            "text": (
                                "任何未经验电的设备都视为带电。不得凭经验、看指示灯或听别人说“已停电”"
                                "就开始工作；约时停送电是严格禁止的。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        [
                            "低压验电器（验电笔）",
                            "携带型短路接地线",
                            "绝缘手套、绝缘鞋",
                            "标示牌、遮栏",
                            "挂锁（上锁挂牌用）",
                        ],
                    ),
                ],
            },
            {
                "title": "剩余电流动作保护器（漏电保护器）",
                "slug": "rcd",
                "summary": "30 mA、0.1 s 的含义，潮湿场所的选用，N 线和 PE 线的接法，每月试验。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "它保护什么"),
                    (
                        "paragraph",
                        "<p>剩余电流动作保护器检测流入和流出的电流之差。人触电时，一部分电流经人体"
                        "流入大地，差值超过整定值保护器就跳闸。用于人身触电防护时，应选用"
                        "<b>额定剩余动作电流不大于 30 mA、动作时间不大于 0.1 s</b> 的产品；"
                        "潮湿或有腐蚀介质的场所应选用不大于 15 mA、0.1 s 的防溅型产品"
                        "（见 JGJ 46《施工现场临时用电安全技术规范》）。</p>",
                    ),
                    ("heading", "接线要点"),
                    (
                        "paragraph",
                        "<p>相线和 N 线都必须穿过保护器；<b>PE 线不得接入保护器</b>。"
                        "保护器后的 N 线不得再重复接地，也不得与其他回路的 N 线共用，"
                        "否则会误动或拒动。保护器只对其后方的触电起作用，"
                        "人同时接触相线和 N 线（未接地）时它不会动作。</p>",
                    ),
                    (
                        "steps",
                        [
                            "合闸送电后按一下“试验”按钮，保护器应立即跳闸。",
                            "试验正常再合闸；不跳闸说明保护器失效，必须更换。",
                            "投入运行后每月至少试验一次，雷雨季节增加次数。",
                            "保护器跳闸后先查明原因、排除故障再合闸，不得强行送电或拆除保护器。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "漏电保护不能代替其他措施",
                            "text": (
                                "剩余电流动作保护器是附加保护，不能代替保护接地（接零）、"
                                "绝缘和停电验电等基本措施。"
                            ),
                        },
                    ),
                ],
            },
            {
                "title": "万用表、钳形电流表与兆欧表",
                "slug": "meters",
                "summary": "量电压不量电阻，钳形表只钳一根线，兆欧表量绝缘前后都要放电。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "万用表"),
                    (
                        "paragraph",
                        "<p>测量前看清挡位和表笔插孔：测电压时表笔并联在被测电路两端，"
                        "挡位选大于被测值的量程；<b>严禁带电测电阻</b>，严禁用电流挡或电阻挡测电压。"
                        "测配电柜内电压应使用 CAT III 及以上等级的仪表和表笔。</p>",
                    ),
                    ("heading", "钳形电流表"),
                    (
                        "paragraph",
                        "<p>钳口只钳入一根导线，导线放在钳口中央；同时钳入相线和 N 线读数为零。"
                        "先用大量程，测量中不得切换量程。</p>",
                    ),
                    ("heading", "兆欧表（摇表）测绝缘电阻"),
                    (
                        "steps",
                        [
                            "选表：额定电压 500 V 以下的线路和设备用 500 V 兆欧表。",
                            "被测设备停电、验电并对地放电，拆开与其他设备的连接。",
                            "开路试验：L、E 端开路摇至 120 r/min，指针应指“∞”；"
                            "短接 L、E 轻摇，指针应指“0”。",
                            "L 接被测导体，E 接外壳或地，匀速摇动约 120 r/min，1 min 后读数。",
                            "低压线路和电动机的绝缘电阻一般不应低于 0.5 MΩ。",
                            "测量完毕先断开 L 线再停摇，然后对被测设备放电。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "兆欧表输出高压",
                            "text": (
                                "摇动时 L、E 端有数百伏电压，测量中和放电前不得用手触碰被测导体和表线端头。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        ["数字万用表（CAT III 600 V）", "钳形电流表", "500 V 兆欧表", "放电棒"],
                    ),
                ],
            },
            {
                "title": "触电急救与心肺复苏",
                "slug": "electric-shock-first-aid",
                "summary": "先断电再救人，判断意识和呼吸，胸外按压每分钟 100～120 次、深度 5～6 cm。",
                "duration_minutes": 25,
                "body": [
                    (
                        "safety_note",
                        {
                            "title": "先让触电者脱离电源",
                            "text": (
                                "切勿直接用手拉触电者。就近拉开开关、拔掉插头；开关太远时用干燥的木棒、"
                                "竹竿挑开电线，或站在干燥木板上拉触电者干燥的衣服。"
                                "高压触电须立即通知供电部门停电。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "确认现场安全后，轻拍触电者双肩、大声呼喊，判断有无意识。",
                            "无意识时立即呼救，请人拨打 120 并取来附近的 AED（自动体外除颤器）。",
                            "观察胸廓起伏 5～10 秒判断呼吸；无呼吸或只有叹息样呼吸，立即开始心肺复苏。",
                            "胸外按压：两乳头连线中点，双手掌根重叠，手臂伸直垂直下压，"
                            "深度 5～6 cm，频率每分钟 100～120 次，每次按压后让胸廓完全回弹。",
                            "按压 30 次后开放气道（仰头提颏），人工呼吸 2 次，按 30:2 循环。",
                            "AED 到达后立即开机，按语音提示贴电极片、分析心律、除颤，之后继续按压。",
                            "坚持到触电者恢复自主呼吸或专业急救人员接手。",
                        ],
                    ),
                    ("tools", ["AED（自动体外除颤器）", "绝缘杆或干燥木棒", "急救箱"]),
                ],
            },
        ],
    },
    {
        "title": "三相异步电动机控制线路安装与调试",
        "slug": "motor-control-circuits",
        "level": 4,
        "study_hours": "32",
        "voucher_price": "480.00",
        "featured": False,
        "provider": "xm-jsxy",
        "instructors": ["zheng.jianhua@demo.jiangxue.example"],
        "summary": "识读自锁、正反转互锁控制原理图，按工艺规范布线，不通电检查与通电试车，热继电器整定。",
        "description": (
            "<p>电动机控制线路是中级电工技能考核的核心项目。本课程从接触器自锁正转控制讲起，"
            "到按钮、接触器双重互锁的正反转控制，最后完成在网孔板上的安装、检查和试车。</p>"
        ),
        "lessons": [
            {
                "title": "接触器自锁正转控制线路",
                "slug": "self-holding-circuit",
                "summary": "主电路与控制电路，自锁触头的作用，欠压、失压和过载保护从哪里来。",
                "duration_minutes": 30,
                "body": [
                    ("heading", "电路组成"),
                    (
                        "paragraph",
                        "<p><b>主电路</b>：断路器 QF → 熔断器 FU1 → 接触器 KM 主触头 → "
                        "热继电器 FR 热元件 → 电动机 M。<b>控制电路</b>：熔断器 FU2 → "
                        "FR 常闭触头 → 停止按钮 SB1（常闭，红色）→ 启动按钮 SB2（常开，绿色）→ "
                        "KM 线圈；KM 的一对辅助常开触头与 SB2 并联，这就是<b>自锁</b>。</p>",
                    ),
                    (
                        "paragraph",
                        "<p>按下 SB2，KM 线圈得电，主触头闭合电动机启动，辅助常开触头同时闭合，"
                        "松开 SB2 后线圈仍经自锁触头得电。按下 SB1 线圈断电，电动机停转。"
                        "电源电压过低或突然停电时 KM 释放，来电后不会自行启动，"
                        "这就是<b>欠压和失压保护</b>；电动机过载时 FR 常闭触头断开，实现<b>过载保护</b>。</p>",
                    ),
                    (
                        "steps",
                        [
                            "对照原理图，在元件上找出每个文字符号对应的实物。",
                            "用万用表电阻挡检查按钮常开、常闭触头和接触器线圈电阻是否正常。",
                            "画出元件布置图和接线图，给每根导线编号。",
                        ],
                    ),
                    ("tools", ["原理图", "交流接触器", "热继电器", "按钮盒", "数字万用表"]),
                ],
            },
            {
                "title": "正反转控制与互锁",
                "slug": "reversing-interlock",
                "summary": "对调两相改变转向，接触器互锁防止相间短路，按钮互锁实现直接换向。",
                "duration_minutes": 30,
                "body": [
                    (
                        "paragraph",
                        "<p>把接入电动机的三相电源任意对调两相，电动机就反转。正反转线路用两只接触器："
                        "KM1 正转，KM2 反转（主触头对调 L1、L3 两相）。两只接触器如果同时吸合，"
                        "会造成两相电源短路，所以必须<b>互锁</b>。</p>"
                        "<ul><li><b>接触器（电气）互锁</b>：KM1 的辅助常闭触头串在 KM2 线圈回路中，"
                        "KM2 的辅助常闭触头串在 KM1 线圈回路中。</li>"
                        "<li><b>按钮（机械）互锁</b>：使用复合按钮，正转按钮的常闭触头串入反转回路，"
                        "反之亦然，可不按停止按钮直接换向。</li></ul>"
                        "<p>实际生产中采用按钮、接触器双重互锁，安全可靠。</p>",
                    ),
                    (
                        "safety_note",
                        {
                            "title": "接触器互锁不能省",
                            "text": (
                                "只靠按钮互锁时，若某只接触器主触头熔焊粘住，按下另一方向按钮就会造成相间短路。"
                                "因此接触器互锁必须保留。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "在自锁正转线路基础上增加 KM2 和反转按钮 SB3。",
                            "主电路中 KM2 主触头进线与 KM1 对调两相。",
                            "把 KM1、KM2 的辅助常闭触头分别串入对方线圈回路。",
                            "换用复合按钮，接入按钮互锁。",
                            "对照原理图逐线核对编号。",
                        ],
                    ),
                ],
            },
            {
                "title": "安装布线、检查与通电试车",
                "slug": "wiring-and-commissioning",
                "summary": "布线工艺，不通电检查的方法，热继电器整定，通电试车的监护要求。",
                "duration_minutes": 40,
                "body": [
                    ("heading", "布线工艺"),
                    (
                        "paragraph",
                        "<p>导线走线槽，横平竖直、分布均匀；接线端子每个不超过两根导线，"
                        "线头不露铜过长、不压绝缘层，每根线两端套编号管。主电路和控制电路"
                        "导线颜色、截面按图纸要求，保护线（PE）用黄绿双色线。</p>",
                    ),
                    (
                        "steps",
                        [
                            "按布置图固定元件，按接线图布线，先控制电路后主电路。",
                            "不通电检查：断开电源，用万用表电阻挡在控制电路两端测量，"
                            "按下 SB2 应测得 KM 线圈电阻，松开为断路；按下 KM 触头架模拟自锁再测。",
                            "主电路逐相检查有无短路、断路；用兆欧表测电动机绝缘电阻不低于 0.5 MΩ。",
                            "热继电器整定电流调到电动机额定电流（一般为 0.95～1.05 倍）。",
                            "接电动机和 PE 线，检查外壳接地可靠。",
                            "经指导教师检查同意、并在其监护下通电试车：先试控制电路，再带电动机试运行。",
                            "试车完毕先按停止，再断开电源，最后拆线。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "通电试车必须有人监护",
                            "text": (
                                "通电前通知在场人员，一人操作一人监护。出现异响、冒烟、焦味立即按停止并断电，"
                                "查明原因前不得再次送电。带电情况下不得触碰接线端子。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        [
                            "网孔板、线槽、导轨",
                            "剥线钳、压线钳、螺丝刀",
                            "BVR 1.0 mm² / 1.5 mm² 导线、编号管",
                            "数字万用表、兆欧表",
                            "三相异步电动机（Y 接或 △ 接）",
                        ],
                    ),
                ],
            },
        ],
    },
]

_ELDERCARE_COURSES = [
    {
        "title": "失能老人生活照护：翻身、压疮预防与协助进食",
        "slug": "bedbound-care",
        "level": 5,
        "study_hours": "16",
        "voucher_price": "0",
        "featured": True,
        "provider": "xm-jsxy",
        "instructors": ["xu.liping@demo.jiangxue.example"],
        "summary": "给卧床老人翻身的正确方法，压疮好发部位与早期识别，协助进食时防止呛咳和误吸。",
        "description": (
            "<p>本课程对应《养老护理员国家职业技能标准》五级/初级工的生活照护内容，"
            "面向养老机构和居家上门的护理员。每一项操作都从沟通开始：先告诉老人要做什么，"
            "取得配合，保护隐私和尊严。</p>"
        ),
        "lessons": [
            {
                "title": "协助卧床老人翻身侧卧",
                "slug": "turning",
                "summary": "至少每 2 小时翻身一次，翻身时检查皮肤，不拖不拉不推。",
                "duration_minutes": 30,
                "body": [
                    (
                        "paragraph",
                        "<p>长期卧床的老人身体同一部位持续受压，是压疮的主要原因。"
                        "一般至少<b>每 2 小时翻身一次</b>，皮肤已发红或身体消瘦的老人要缩短间隔，"
                        "并在翻身记录单上记下时间、体位和皮肤情况。</p>",
                    ),
                    (
                        "steps",
                        [
                            "向老人说明要翻身，取得配合；关好门窗，调节室温。",
                            "固定床轮，放下近侧床挡，撤去盖被折叠至床尾。",
                            "老人仰卧，双手放在胸腹部，双腿屈曲。",
                            "先把老人的肩部、臀部依次移向护理员一侧床边（抬起移动，不要拖拽）。",
                            "一手扶肩、一手扶髋，轻轻将老人翻向对侧，面向对侧床挡。",
                            "在背部放软枕支撑，使身体与床面约成 30°；两膝之间、上侧小腿下各垫软枕。",
                            "检查骶尾部、髋部、足跟等受压部位皮肤，整理衣服和床单使其平整无皱褶。",
                            "拉起床挡，盖好盖被，记录翻身时间和皮肤情况。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "脊柱和髋部手术后的老人",
                            "text": (
                                "有脊柱损伤、髋关节置换术后或带有引流管的老人，应按医护人员的要求翻身"
                                "（如两人配合的轴线翻身），头、颈、躯干保持在一条直线上，防止扭曲。"
                            ),
                        },
                    ),
                    ("tools", ["软枕 3～4 个", "翻身记录单", "床挡完好的护理床"]),
                ],
            },
            {
                "title": "压疮的预防与早期识别",
                "slug": "pressure-injury-prevention",
                "summary": "好发部位、压之不褪色的红斑、减压与皮肤护理，发现异常及时报告。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "好发部位"),
                    (
                        "paragraph",
                        "<p>骨头突出、皮下脂肪少的地方最容易发生压疮：仰卧时的枕部、肩胛、肘部、"
                        "<b>骶尾部</b>、足跟；侧卧时的耳廓、肩峰、髋部（股骨大转子）、膝关节内外侧、"
                        "内外踝；坐位时的坐骨结节。</p>",
                    ),
                    ("heading", "早期识别"),
                    (
                        "paragraph",
                        "<p>用手指轻压发红的皮肤，松开后红色<b>不消退</b>，说明局部组织已经受损，"
                        "这是压疮最早期的表现。出现水疱、破皮、颜色发紫发黑时病情已进一步加重。"
                        "护理员发现任何一种情况都要立即报告护士或医生，由专业人员处理伤口。</p>",
                    ),
                    (
                        "steps",
                        [
                            "按时翻身，高风险老人使用减压气垫床，坐轮椅者每 15～30 分钟协助抬臀减压。",
                            "保持皮肤清洁干燥：大小便失禁后及时用温水清洗、轻轻拍干，涂皮肤保护剂。",
                            "床单平整、干燥、无渣屑；移动老人时抬起，避免摩擦和剪切力。",
                            "足跟悬空：在小腿下垫软枕，使足跟离开床面。",
                            "协助老人进食，保证营养和饮水（遵医嘱）。",
                            "每天检查全身皮肤并记录。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "不要按摩发红的骨突处",
                            "text": (
                                "过去常用的按摩受压发红部位的做法会加重深部组织损伤，现已不推荐。"
                                "也不要使用圈形气垫（橡胶圈），它会压迫周围组织、影响血液循环。"
                            ),
                        },
                    ),
                    ("tools", ["减压气垫床", "软枕", "温水和柔软毛巾", "皮肤保护剂", "护理记录单"]),
                ],
            },
            {
                "title": "协助进食与防止误吸",
                "slug": "feeding-and-aspiration",
                "summary": "坐直吃饭、小口慢喂、吃完坐 30 分钟；呛咳和噎食时怎么办。",
                "duration_minutes": 30,
                "body": [
                    (
                        "paragraph",
                        "<p>老人吞咽功能减退，食物或水误入气管叫<b>误吸</b>，可引起吸入性肺炎；"
                        "大块食物堵住气道叫<b>噎食</b>，几分钟就会危及生命。吞咽困难的老人"
                        "应由医护人员评估后确定食物性状（如软食、糊状、增稠饮品）。</p>",
                    ),
                    (
                        "steps",
                        [
                            "进餐前协助老人洗手、排便，义齿清洗后戴好。",
                            "取坐位；不能坐起的抬高床头至少 30°，偏瘫老人头稍向健侧、从健侧喂食。",
                            "先让老人喝一小口温水或汤，湿润口腔，观察有无呛咳。",
                            "每一口量从少量开始（约小汤匙的 1/3～1/2），送到舌中部，"
                            "看到老人完全咽下、口中无残留再喂下一口。",
                            "进餐时不催促、不说笑，老人说话时暂停喂食。",
                            "进餐后清洁口腔，保持坐位或半坐卧位 30 分钟后再躺下。",
                            "记录进食量、饮水量和有无呛咳。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "呛咳和噎食的处理",
                            "text": (
                                "出现呛咳立即停止喂食，让老人身体前倾、低头，鼓励咳嗽，轻拍背部。"
                                "如果老人突然不能说话、不能咳嗽、面色青紫、双手抓住颈部，是噎食窒息，"
                                "立即呼救并拨打 120，同时使用海姆立克法（腹部冲击法）：站在老人身后，"
                                "一手握拳拇指侧顶在肚脐上方两横指处，另一手包住拳头，快速向内向上冲击，"
                                "直到异物排出。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        [
                            "小汤匙",
                            "防滑碗、吸盘碗",
                            "围兜、毛巾",
                            "增稠剂（遵医嘱）",
                            "进食记录单",
                        ],
                    ),
                ],
            },
        ],
    },
    {
        "title": "老年人跌倒预防与轮椅转移",
        "slug": "fall-prevention",
        "level": 4,
        "study_hours": "12",
        "voucher_price": "200.00",
        "featured": False,
        "provider": "xm-jsxy",
        "instructors": ["xu.liping@demo.jiangxue.example"],
        "summary": "跌倒风险的识别与居室改造，床与轮椅之间的安全转移，老人跌倒后的正确处置。",
        "description": (
            "<p>跌倒是老年人伤害的首要原因，一次髋部骨折可能让老人从此卧床。"
            "本课程帮助护理员识别风险、改造环境、掌握转移技术，并在跌倒发生后做出正确处置。</p>"
        ),
        "lessons": [
            {
                "title": "跌倒风险识别与环境改造",
                "slug": "fall-risks",
                "summary": "从老人自身、用药和环境三方面找风险，逐项改造居室。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "哪些老人容易跌倒"),
                    (
                        "paragraph",
                        "<p>曾经跌倒过、步态不稳、视力差、有认知障碍、夜间频繁如厕的老人风险高。"
                        "服用降压药、安眠药、降糖药、利尿剂的老人容易头晕或低血糖，"
                        "要特别注意起床和如厕时段。</p>",
                    ),
                    (
                        "steps",
                        [
                            "地面：保持干燥，卫生间铺防滑垫，去掉门槛和松动的地毯。",
                            "照明：走廊、卫生间安装夜灯，开关设在床边伸手可及处。",
                            "扶手：卫生间马桶旁、淋浴区和走廊安装扶手，淋浴使用洗澡椅。",
                            "床：高度以老人坐在床边时双脚平放地面、膝关节约成 90° 为宜，床轮锁定。",
                            "常用物品放在老人伸手可及的地方，不需要登高取物。",
                            "衣裤长短合身，穿包跟防滑鞋，不穿拖鞋走远路。",
                            "起床做到“三个半分钟”：醒后躺半分钟，坐起半分钟，双腿下垂床边半分钟再站起。",
                        ],
                    ),
                    ("tools", ["防滑垫", "夜灯", "扶手", "洗澡椅", "助行器"]),
                ],
            },
            {
                "title": "床与轮椅之间的转移",
                "slug": "wheelchair-transfer",
                "summary": "轮椅放在健侧、与床成 30°～45°、刹好车，护理员用腿发力不用腰。",
                "duration_minutes": 30,
                "body": [
                    (
                        "steps",
                        [
                            "检查轮椅：刹车有效、轮胎气足、脚踏板和扶手完好。",
                            "轮椅放在老人健侧，与床成 30°～45°，拉好两侧刹车，翻起脚踏板。",
                            "协助老人坐到床边，双脚平放地面，穿好防滑鞋。",
                            "护理员面向老人站立，双膝微屈，用膝盖抵住老人患侧膝部防止打软。",
                            "老人双手搭在护理员肩部（偏瘫者用健手），护理员双手扶住老人腰部或腰带。",
                            "喊口令一起站起，以健腿为轴转身，背对轮椅，缓慢坐下。",
                            "调整坐姿，臀部靠后坐满，放下脚踏板放好双脚，系好安全带。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "保护老人，也保护自己的腰",
                            "text": (
                                "转移时护理员两脚分开与肩同宽，屈膝下蹲、腰背挺直，用腿部力量站起，"
                                "不要弯腰硬抱。体重大或不能配合的老人，两人协助或使用移位机。"
                            ),
                        },
                    ),
                    ("tools", ["轮椅", "转移腰带", "防滑鞋", "移位机（必要时）"]),
                ],
            },
            {
                "title": "老人跌倒后的处置",
                "slug": "after-a-fall",
                "summary": "不急于扶起，先判断伤情；怀疑骨折或头部受伤不搬动，呼叫 120。",
                "duration_minutes": 20,
                "body": [
                    (
                        "safety_note",
                        {
                            "title": "不要马上把老人扶起来",
                            "text": (
                                "老人跌倒后立即拉起，可能加重骨折或脊柱损伤。先判断伤情，再决定是否移动。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "呼叫老人，判断意识。意识不清立即拨打 120，检查呼吸，必要时心肺复苏。",
                            "询问哪里疼痛，查看有无出血、肢体畸形、不能活动；"
                            "询问是否头部着地，有无剧烈头痛、呕吐。",
                            "怀疑骨折、头部或脊柱受伤时不要搬动，保暖并等待急救人员，"
                            "同时报告护士和家属。",
                            "确认无明显损伤时协助起身：先翻成侧卧，再跪起，扶着椅子慢慢站起或坐下。",
                            "起身后继续观察 24 小时，注意意识、头痛、肢体活动和疼痛变化。",
                            "填写跌倒事件记录，分析原因并改进防护措施。",
                        ],
                    ),
                    ("tools", ["急救箱", "毯子", "跌倒事件记录表"]),
                ],
            },
        ],
    },
]

_HOUSEKEEPING_COURSES = [
    {
        "title": "家居清洁消毒与厨房安全",
        "slug": "cleaning-and-kitchen-safety",
        "level": 5,
        "study_hours": "12",
        "voucher_price": "0",
        "featured": True,
        "provider": "xm-jsxy",
        "instructors": ["xu.liping@demo.jiangxue.example"],
        "summary": "清洁的顺序与分区抹布，含氯消毒剂的配制浓度和禁忌，燃气、油锅和食品储存的安全要点。",
        "description": (
            "<p>本课程对应《家政服务员国家职业技能标准》家务服务员工种五级/初级工的"
            "清洁和烹饪安全内容。学完你应当能按正确顺序完成一套住房的日常保洁，"
            "正确配制和使用消毒液，并能处置燃气泄漏和油锅起火。</p>"
        ),
        "lessons": [
            {
                "title": "居家清洁的顺序与工具",
                "slug": "cleaning-order",
                "summary": "从上到下、从里到外、先干后湿；抹布按区域分色，不混用。",
                "duration_minutes": 20,
                "body": [
                    (
                        "paragraph",
                        "<p>清洁顺序遵循<b>从上到下、从里到外、先干后湿、先净区后污区</b>："
                        "先擦高处的灯具、柜顶，再擦家具台面，最后清洁地面；"
                        "从房间最里面往门口退着做；先除尘再湿擦；先卧室、客厅，最后卫生间。</p>",
                    ),
                    (
                        "steps",
                        [
                            "进门先与雇主确认清洁范围和重点，贵重和易碎物品不随意挪动。",
                            "开窗通风，准备好分色抹布和工具。",
                            "按从上到下的顺序除尘，再用湿抹布擦拭台面、门把手、开关等常接触的表面。",
                            "清洁卫生间：先冲洗马桶并倒入清洁剂浸泡，再擦洗面盆、镜面、淋浴区，"
                            "最后刷洗马桶并擦干地面。",
                            "地面先扫（吸）后拖，从里往外退着拖。",
                            "清洁工具用后洗净、消毒、晾干，分区存放。",
                        ],
                    ),
                    (
                        "tools",
                        [
                            "分色抹布（如居室、厨房、卫生间各用一种颜色）",
                            "吸尘器、扫把、拖把（卫生间专用）",
                            "马桶刷",
                            "中性清洁剂",
                            "橡胶手套",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "登高擦窗要小心",
                            "text": (
                                "擦高处使用稳固的人字梯，不踩椅子和凳子；不将身体探出窗外擦外窗，"
                                "高层外窗应使用长柄擦窗器或由专业人员完成。"
                            ),
                        },
                    ),
                ],
            },
            {
                "title": "含氯消毒剂的配制与使用",
                "slug": "chlorine-disinfectant",
                "summary": "84 消毒液稀释到 500 mg/L 的算法，作用时间，不能与洁厕剂混用。",
                "duration_minutes": 25,
                "body": [
                    ("heading", "怎么算稀释比例"),
                    (
                        "paragraph",
                        "<p>先看消毒液标签上的有效氯含量。以有效氯 5%（即 50 000 mg/L）的 84 消毒液为例，"
                        "配成 500 mg/L 的消毒液需要稀释 100 倍：<b>10 mL 原液加水到 1 L</b>。"
                        "一般物体表面（桌面、门把手）用 500 mg/L 擦拭或喷洒，作用 30 分钟后用清水擦净；"
                        "餐具洗净后首选煮沸消毒（保持 100 ℃ 10 分钟以上），也可用 250 mg/L 消毒液全部浸没 5 分钟以上，再用清水冲洗干净（《餐饮服务食品安全操作规范》）。</p>",
                    ),
                    (
                        "steps",
                        [
                            "戴橡胶手套和口罩，在通风处配制。",
                            "用量杯量取原液，先放水后加原液，搅匀。",
                            "在容器上写明浓度和配制时间，现配现用，当天用完。",
                            "擦拭或浸泡，达到规定作用时间后用清水去除残留。",
                            "原液密封、避光保存，放在儿童和老人拿不到的地方。",
                        ],
                    ),
                    (
                        "safety_note",
                        {
                            "title": "84 消毒液不能与洁厕剂混用",
                            "text": (
                                "洁厕剂多含盐酸，与含氯消毒剂混合会产生氯气，吸入后引起咳嗽、胸闷甚至中毒。"
                                "两者要分开使用，用完一种先冲洗干净再用另一种。含氯消毒剂对织物有漂白作用，"
                                "对金属有腐蚀性。"
                            ),
                        },
                    ),
                    (
                        "tools",
                        ["84 消毒液（注意有效氯含量）", "量杯", "带盖的配制桶", "橡胶手套", "口罩"],
                    ),
                ],
            },
            {
                "title": "厨房用气、用火与食品安全",
                "slug": "kitchen-safety",
                "summary": "闻到燃气味怎么办，油锅起火怎么灭，生熟分开与冰箱储存。",
                "duration_minutes": 25,
                "body": [
                    (
                        "safety_note",
                        {
                            "title": "闻到燃气味",
                            "text": (
                                "立即关闭燃气表前阀门和灶具开关，打开门窗通风；不开关任何电器（包括电灯、"
                                "抽油烟机），不在室内打电话，不点火。人员撤到室外后拨打燃气公司抢修电话。"
                            ),
                        },
                    ),
                    (
                        "steps",
                        [
                            "用火时人不离开灶台，炖煮食物定好闹钟。",
                            "定期用肥皂水涂抹燃气软管和接头检查漏气，冒泡即漏气，严禁用明火试漏。",
                            "燃气软管老化、龟裂要及时请燃气公司更换，提倡使用金属波纹管。",
                            "油锅起火：立即关火，用锅盖或湿毛巾盖住锅面隔绝空气，"
                            "也可倒入切好的蔬菜降温；严禁用水浇。",
                            "刀具、砧板、容器生熟分开，处理生肉、水产后洗手。",
                            "冰箱冷藏室保持 4 ℃ 以下，冷冻室 −18 ℃ 以下；剩菜加盖冷藏，食用前彻底加热。",
                        ],
                    ),
                    (
                        "paragraph",
                        "<p>家中有老人和儿童时，锅柄朝内放置，热水瓶、刀具放在够不着的地方；"
                        "使用电器前擦干双手，插座远离水池。</p>",
                    ),
                    (
                        "tools",
                        ["锅盖", "灭火毯", "家用灭火器（干粉或水基型）", "生熟分开的砧板和刀具"],
                    ),
                ],
            },
        ],
    },
]

TRADES = [
    {
        "slug": "welding",
        "occupation_name": "焊工",
        # Confirmed: 焊工国家职业技能标准 (2018), 职业编码 6-18-02-04.
        "occupation_code": "6-18-02-04",
        "icon": "🔥",
        "title": "焊工",
        "description": (
            "<p>焊工操作焊接和气割设备，把金属构件连接成机械、钢结构、管道和容器。"
            "本专业从焊条电弧焊入门，逐步学习 CO₂ 气体保护焊和板对接单面焊双面成形，"
            "对应国家职业技能标准的初级工到中级工要求。</p>"
        ),
        "courses": _WELDING_COURSES,
    },
    {
        "slug": "fitting",
        "occupation_name": "机修钳工",
        # 机修钳工 6-31-01-02 as used by its national skill standard; 装配钳工 and
        # 工具钳工 have their own codes. Not re-confirmed against the 2022 edition.
        "occupation_code": "6-31-01-02",
        "icon": "🔧",
        "title": "钳工",
        "description": (
            "<p>钳工用手工工具和钻床对零件进行划线、锯削、锉削、钻孔和攻螺纹，"
            "并完成机器的装配、调整和维修。划线、锯削和锉削是装配钳工、工具钳工和"
            "机修钳工共同的基本功。</p>"
        ),
        "courses": _FITTING_COURSES,
    },
    {
        "slug": "sheet-metal",
        "occupation_name": "冷作钣金加工工",
        # 冷作钣金加工工 (2015/2022 name; formerly 冷作钣金工 6-04-04-01 in the 1999
        # edition). Best knowledge, not confirmed against the printed 2022 edition.
        "occupation_code": "6-18-05-01",
        "icon": "🛠️",
        "title": "钣金工",
        "description": (
            "<p>冷作钣金加工工在常温下对金属板材、型材进行放样、下料、弯曲、成形和装配，"
            "制成机柜、罩壳、管道和容器。本专业从展开放样讲起，覆盖剪板机和折弯机的安全操作。</p>"
        ),
        "courses": _SHEET_METAL_COURSES,
    },
    {
        "slug": "electrician",
        "occupation_name": "电工",
        # 电工国家职业技能标准 (2018), 职业编码 6-31-01-03.
        "occupation_code": "6-31-01-03",
        "icon": "⚡",
        "title": "电工",
        "description": (
            "<p>电工从事电气线路和设备的安装、调试、运行维护和检修。本专业从低压电工作业安全"
            "技术入门，再学习电动机控制线路的安装与调试。低压电工作业须另行取得特种作业操作证。</p>"
        ),
        "courses": _ELECTRICIAN_COURSES,
    },
    {
        "slug": "elderly-care",
        "occupation_name": "养老护理员",
        # 养老护理员国家职业技能标准 (2019), 职业编码 4-10-01-05.
        "occupation_code": "4-10-01-05",
        "icon": "🧓",
        "title": "养老护理员",
        "description": (
            "<p>养老护理员为老年人提供生活照料、基础照护和康复服务。本专业面向养老机构和"
            "居家上门护理人员，讲授翻身、压疮预防、协助进食、跌倒预防和轮椅转移等"
            "每天都会用到的照护技能。</p>"
        ),
        "courses": _ELDERCARE_COURSES,
    },
    {
        "slug": "housekeeping",
        "occupation_name": "家政服务员",
        # Confirmed: 家政服务员国家职业技能标准 (2019), 职业编码 4-10-01-06.
        "occupation_code": "4-10-01-06",
        "icon": "🧹",
        "title": "家政服务员",
        "description": (
            "<p>家政服务员在家庭中从事清洁、烹饪、衣物整理以及照护孕产妇、婴幼儿和老人等服务。"
            "本专业从家居清洁消毒和厨房安全入门，帮助新从业人员规范、安全地上岗。</p>"
        ),
        "courses": _HOUSEKEEPING_COURSES,
    },
]

# Expected totals, for the command's summary and the tests.
TRADE_COUNT = len(TRADES)
COURSE_COUNT = sum(len(t["courses"]) for t in TRADES)
LESSON_COUNT = sum(len(c["lessons"]) for t in TRADES for c in t["courses"])

# ---------------------------------------------------------------------------
# Question banks
# ---------------------------------------------------------------------------
# Snippets (courses.models.QuestionBank), one per trade and level, owned by a
# provider; ``trade`` is the trade's slug, ``provider`` an organisation code,
# ``author`` the instructor whose revision creates it. Questions use the
# courses.services.question_create arguments; numbers are decimal strings.
# Options are (text, correct) pairs. Figures: I = K·d with K = 35–55 A/mm for
# carbon-steel electrodes (textbook rule), conventional load voltage
# U₂ = 20 + 0.04·I₂ for manual metal arc welding (GB/T 15579.1 / IEC 60974-1),
# welding positions after GB/T 16672 (ISO 6947).

QUESTION_BANKS = [
    {
        "title": "焊工（初级）安全与焊条电弧焊基础题库",
        "trade": "welding",
        "level": 5,
        "provider": "fj-gjxy",
        "author": "wu.guodong@demo.jiangxue.example",
        "description": "用于《焊条电弧焊安全操作与平焊基础》的小结测试和结业考试：安全防护、焊条、工艺参数和焊接位置。",
        "questions": [
            {
                "kind": "single",
                "category": "安全",
                "difficulty": 1,
                "stem": "焊接作业前检查焊机，焊机外壳应当怎样处理？",
                "options": [
                    ("可靠接地（接零）", True),
                    ("悬空放置在木板上即可", False),
                    ("接到附近的暖气管或水管上", False),
                    ("接到脚手架上", False),
                ],
                "explanation": "焊机外壳必须接到专用的接地（接零）装置上，暖气管、水管和脚手架不能作为接地体。",
            },
            {
                "kind": "single",
                "category": "安全",
                "difficulty": 1,
                "stem": "按常见的动火安全规程，焊接作业点周围多大范围内不得有易燃易爆物品？",
                "options": [("1 m", False), ("3 m", False), ("5 m", False), ("10 m", True)],
                "explanation": "焊接火花可飞溅很远，作业点周围 10 m 内应清除易燃易爆物品，不能清除的要可靠遮盖并设监护人。",
            },
            {
                "kind": "multiple",
                "category": "安全",
                "difficulty": 1,
                "stem": "焊条电弧焊焊工应穿戴哪些个人防护用品？",
                "options": [
                    ("带合适滤光片的焊接面罩", True),
                    ("焊工手套", True),
                    ("绝缘鞋", True),
                    ("化纤材料的工作服", False),
                ],
                "explanation": "化纤衣服遇到飞溅会熔化粘在皮肤上，应穿阻燃的帆布或棉质工作服。",
            },
            {
                "kind": "true_false",
                "category": "安全",
                "difficulty": 1,
                "stem": "在潮湿的地点焊接时，可以穿普通布鞋、赤手更换焊条。",
                "statement_is_true": False,
                "explanation": "潮湿环境触电危险更大，必须穿绝缘鞋、戴干燥的焊工手套，并站在绝缘垫上操作。",
            },
            {
                "kind": "single",
                "category": "焊条",
                "difficulty": 2,
                "stem": "E4303 焊条的药皮类型是哪一种？",
                "options": [
                    ("钛钙型", True),
                    ("低氢钠型", False),
                    ("纤维素型", False),
                    ("铁粉低氢型", False),
                ],
                "explanation": "E4303 为钛钙型药皮，交直流两用，工艺性能好，是初学平焊最常用的酸性焊条。",
            },
            {
                "kind": "true_false",
                "category": "焊条",
                "difficulty": 2,
                "stem": "E5015 等碱性焊条使用前一般应在 350～400 ℃ 烘干 1～2 h，随烘随用。",
                "statement_is_true": True,
                "explanation": "碱性低氢焊条对水分敏感，受潮后焊缝易出现气孔和冷裂纹，必须按说明书烘干。",
            },
            {
                "kind": "multiple",
                "category": "焊条",
                "difficulty": 2,
                "stem": "焊条使用前烘干的目的有哪些？",
                "scoring": "partial",
                "options": [
                    ("去除药皮中吸收的水分", True),
                    ("减少焊缝中的氢，防止气孔", True),
                    ("降低产生冷裂纹的倾向", True),
                    ("提高焊接速度", False),
                ],
                "explanation": "本题按比例给分：选对一项得 1/3 分，但选了错误选项本题不得分。",
            },
            {
                "kind": "single",
                "category": "工艺",
                "difficulty": 2,
                "stem": "选择焊条直径时，最主要的依据是什么？",
                "options": [
                    ("焊件厚度", True),
                    ("焊机的品牌", False),
                    ("焊工的工龄", False),
                    ("当天的气温", False),
                ],
                "explanation": "焊件越厚，选用的焊条直径越大；此外还要考虑焊接位置和焊道层次。",
            },
            {
                "kind": "true_false",
                "category": "工艺",
                "difficulty": 2,
                "stem": "焊接电流过大，容易产生咬边、焊瘤和烧穿等缺陷。",
                "statement_is_true": True,
                "explanation": "电流过大时熔池温度过高，母材边缘被熔化而不能填满形成咬边，薄板还容易烧穿。",
            },
            {
                "kind": "numeric",
                "category": "工艺",
                "difficulty": 3,
                "stem": "平焊时按经验公式 I = K·d 选择焊接电流，取 K = 40 A/mm，直径 3.2 mm 的焊条应选用多大的焊接电流？",
                "answer_value": "128",
                "tolerance": "2",
                "unit": "A",
                "explanation": "I = 40 × 3.2 = 128 A。实际焊接时再按焊接位置、接头形式和试焊情况上下微调。",
            },
            {
                "kind": "numeric",
                "category": "工艺",
                "difficulty": 3,
                "stem": "焊条电弧焊的约定负载电压 U₂ = 20 + 0.04·I₂（单位 V、A）。焊接电流为 150 A 时，约定负载电压是多少伏？",
                "answer_value": "26",
                "tolerance": "0.5",
                "unit": "V",
                "explanation": "U₂ = 20 + 0.04 × 150 = 26 V。",
            },
            {
                "kind": "single",
                "category": "焊接位置",
                "difficulty": 2,
                "stem": "按 GB/T 16672，板对接平焊位置的代号是哪一个？",
                "options": [("PA", True), ("PC", False), ("PE", False), ("PF", False)],
                "explanation": "PA 平焊，PC 横焊，PE 仰焊，PF 向上立焊。",
            },
        ],
    },
]
QUESTION_BANK_COUNT = len(QUESTION_BANKS)
QUESTION_COUNT = sum(len(bank["questions"]) for bank in QUESTION_BANKS)
