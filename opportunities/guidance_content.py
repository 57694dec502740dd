"""Guidance for the eight steps of the Optimized Sales Process, in the project's own words
(from METHODOLOGY.md §4), in English and Simplified Chinese. Loaded into StepGuide rows by a
data migration; administrators edit it there afterwards."""

STEPS = [
    {
        "step": 1,
        "title_en": "Territory / account / partner plan",
        "title_zh": "领域/客户/合作伙伴营销计划",
        "definition_en": (
            "Write a plan, strategic and tactical, that shows how you will beat your target "
            "across your territory, key accounts and partners. Go through it with your team and "
            "manager, and bring it up to date every quarter."
        ),
        "definition_zh": (
            "制定一份从战略和战术两方面确保超额完成销售目标的计划,覆盖所辖领域、"
            "重点客户和合作伙伴。与团队和经理一起审查,并每季度更新一次。"
        ),
        "results_en": [
            "A strategic plan for exceeding the sales target",
            "Key accounts and top opportunities ranked by priority",
            "Your manager agrees with the plan and backs it",
        ],
        "results_zh": [
            "一份超额完成销售目标的战略计划",
            "重点客户和主要商机已按优先级排序",
            "经理认可并支持该计划",
        ],
        "checklist_en": [
            "Write the territory/account/partner plan and present it to your manager",
            "List the key accounts and the opportunities you will pursue first",
            "Assess each partner and decide how you will work together",
            "Review and update the plan once a quarter",
        ],
        "checklist_zh": [
            "编写领域/客户/合作伙伴营销计划,并向经理介绍",
            "列出重点客户和优先跟进的商机",
            "评估每个合作伙伴,确定与其合作的方式",
            "每季度审查并更新一次计划",
        ],
        "practices_en": [
            "Agree the regional sales strategy and the resources available with your manager",
            "Size the market, note its trends and hot spots, and rank your targets",
            "Present the plan to your manager and peers and act on their feedback",
            "Revise the plan each quarter so it stays on course",
            "Schedule when our technical staff and our partners join each opportunity",
            "Use marketing events, such as industry forums, to generate leads",
        ],
        "practices_zh": [
            "与经理沟通,明确区域销售策略和可用资源",
            "分析市场规模、趋势和热点,确定优先攻克的目标",
            "向经理和同事介绍计划,并根据反馈加以改进",
            "每季度修订计划,确保不偏离目标",
            "在计划中统筹安排公司技术人员和合作伙伴介入项目的时间",
            "充分利用行业论坛等市场活动开发销售线索",
        ],
        "problems_en": [
            "Partners' existing customer relationships are left unused",
            "Past dealings with the customer, and the needs they hint at, are ignored",
            "The plan is never reviewed, analysed or adjusted",
            "Reps, partners and technical support do not talk to each other enough",
            "No focus: no ranked key accounts and no top-10 opportunity list",
            "The manager does not review the plan, so it is never refined",
        ],
        "problems_zh": [
            "没有利用合作伙伴已有的客户关系",
            "忽视与客户以往的合作关系及其中隐含的需求线索",
            "计划缺乏审查、分析和调整",
            "销售代表、合作伙伴和技术支持之间沟通不足",
            "缺乏重点:没有选出重点客户,也没有前10大商机清单",
            "缺少经理的审查,计划未能持续完善",
        ],
        "questions_en": [
            "How are you going to reach your target?",
            "What is the biggest challenge?",
            "What is your partner strategy?",
            "What can I do to help?",
        ],
        "questions_zh": [
            "你打算如何完成销售目标?",
            "其中最大的挑战是什么?",
            "你的合作伙伴策略是什么?",
            "我能帮上什么忙?",
        ],
        "tools_en": [
            (
                "Plan templates: territory, named account, channel, inside sales, professional "
                "services"
            ),
            "Customer and partner development plans",
            "Customer profile: industry, size, goals, organisation, IT base, funding",
            "Customer list",
            "Partner analysis report: core competences, solution areas",
        ],
        "tools_zh": [
            "计划模板:领域、命名客户、渠道、ISO、专业服务",
            "客户和合作伙伴发展计划",
            "客户档案:行业、规模、发展目标、组织架构、IT基础、资金",
            "客户名单",
            "合作伙伴分析报告:核心竞争力、解决方案适用领域",
        ],
    },
    {
        "step": 2,
        "title_en": "Demand generation",
        "title_zh": "营造需求",
        "definition_en": (
            "Uncover and develop potential opportunities in specific accounts. Early signals from "
            "inside sales and partners are followed up by you and the presales engineer; keep the "
            "conversation on the customer's business need, not on the product."
        ),
        "definition_zh": (
            "在具体客户中发掘并培育潜在商机。"
            "来自ISO和合作伙伴的早期线索由销售代表和售前工程师跟进;交流的重点应放在客户的业务需求"
            "上,而不是产品。"
        ),
        "results_en": [
            "A forecast that keeps receiving new leads",
            "A first understanding of each opportunity",
            "The key opportunities listed",
        ],
        "results_zh": [
            "销售预测中持续有新的销售线索进入",
            "对每个商机都有了初步了解",
            "列出了重点商机",
        ],
        "checklist_en": [
            "Identify the business drivers of the industry and of the customer",
            "Prepare an early value proposition",
            "Qualify the opportunity early",
            "Decide the focus activities",
            "Identify the executive decision-makers",
            "Bring in system integrator partners and other vendors",
            "Take and record a Go/No-Go decision",
        ],
        "checklist_zh": [
            "确定行业和客户的业务驱动力",
            "准备初步的价值主张",
            "对商机进行初步确认",
            "确定重点活动",
            "识别客户的高层决策者",
            "引入系统集成商和其他合作厂商",
            "做出并记录 Go/No-Go 决定",
        ],
        "practices_en": [
            "Build the sales strategy around the value to the customer",
            (
                "With the presales engineer, learn the business goals, the decision chain and "
                "supporters, the decision criteria and process, the competitors and the budget"
            ),
            "Before you invest, have answers to Who, What, When, Where and Why",
            "Find the customer's urgent issues and act on them quickly",
            (
                "Build relationships with the executives and working-level decision-makers who "
                "can move the project forward"
            ),
            (
                "Score the opportunity with the TAS 20 questions and decide whether to keep "
                "pursuing it"
            ),
        ],
        "practices_zh": [
            "围绕给客户带来的价值制定销售策略",
            "与售前工程师一起了解业务目标、决策链和支持者、决策标准与流程、竞争对手情况以及预算",
            "投入资源之前,先把 Who、What、When、Where、Why 几方面的信息收集完整",
            "找出客户急需解决的问题,并迅速采取行动",
            "与能推动项目的高层领导和工作层面的决策者建立良好关系",
            "用 TAS 20 问评估商机,决定是否继续跟进",
        ],
        "problems_en": [
            "Bringing the manager in too early",
            "Declaring an opportunity real too hastily",
            "Chasing new seeds instead of growing the opportunities already found",
            "Too passive in finding targets and contacting customers",
            "Not asking sharp qualifying questions",
        ],
        "problems_zh": [
            "过早让经理介入项目",
            "草率地认定商机存在",
            "不去扩大已发现的商机,反而去培育新的商机",
            "在寻找目标和联系客户方面不够主动",
            "没有提出尖锐的确认问题",
        ],
        "questions_en": [
            "How are you generating leads?",
            "What are the customer's budget and timeline, and why is this project a fit for us?",
            "Have you found the business lead and the technical lead?",
        ],
        "questions_zh": [
            "你是如何开拓销售线索的?",
            "客户的预算和时间表如何?这个项目为什么适合我们公司?",
            "你是否已经找到业务负责人和技术负责人?",
        ],
        "tools_en": [
            "Inside sales qualification checklist",
            "Customer value statement",
            "Solution description",
            "Industry white papers and success stories",
        ],
        "tools_zh": [
            "ISO 商机确认核对表",
            "客户价值说明",
            "解决方案描述",
            "行业白皮书和成功案例",
        ],
    },
    {
        "step": 3,
        "title_en": "Opportunity plan",
        "title_zh": "项目计划",
        "definition_en": (
            "For an important opportunity (over USD 100K, or in a strategic account) write a plan "
            "to win it. The plan coordinates everyone's resources and is kept current until the "
            "deal closes."
        ),
        "definition_zh": (
            "对于重要商机(金额超过10万美元,或属于战略客户),制定赢单计划。"
            "该计划用于协调各方资源,并在成交之前持续更新。"
        ),
        "results_en": [
            "A strategy for winning the opportunity",
            "An action plan: steps, actions and who does what",
            "A first technical solution",
        ],
        "results_zh": [
            "赢得该商机的策略",
            "行动计划:步骤、行动和分工",
            "完成初步的技术解决方案",
        ],
        "checklist_en": [
            "Hold the opportunity plan meeting",
            "Record the business drivers: why do this, and why now?",
            "Relationship strategy covering everyone who influences the decision",
            "Business value for the customer",
            "Solution strategy",
            "Competitive strategy",
            "Partner strategy",
            "Develop internal supporters (champions) for us",
            "Use the opportunity plan in every team meeting",
        ],
        "checklist_zh": [
            "召开项目计划会议",
            "记录业务驱动力:客户为什么要做?为什么现在做?",
            "覆盖所有影响决策人员的公关策略",
            "给客户带来的业务价值",
            "解决方案策略",
            "竞争策略",
            "合作伙伴策略",
            "在客户内部发展我方的内部支持者",
            "在每次团队会议中使用项目计划",
        ],
        "practices_en": [
            (
                "Match the plan to the deal size: USD 50K-100K, answer the TAS 20 questions; over "
                "USD 100K, a three-page TAS opportunity plan; strategic or named account, the "
                "full TAS plan"
            ),
            "Set out the customer's business drivers and return on investment",
            "Shape the solution strategy with advice from our experts and partners",
            "Understand the political factors that could delay the project",
            "Know the competitors and limit their influence as far as you can",
            "Keep a dated action plan current and agree roles and responsibilities with the team",
            "Share accurate information with partners under the agreed rules of engagement",
        ],
        "practices_zh": [
            (
                "按商机规模确定计划深度:5万至10万美元回答 TAS 20 问;大于10万美元完成三页的 TAS "
                "项目计划;战略客户或命名客户完成完整的 TAS 计划"
            ),
            "分析客户的业务驱动力和投资回报",
            "借鉴公司技术专家和合作伙伴的建议,制定解决方案策略",
            "了解可能导致项目推迟的政治因素",
            "了解竞争对手,尽量削弱其影响",
            "建立带时间表的行动计划并持续更新,与团队明确并认同职责分工",
            "按照约定的介入规则,与合作伙伴准确地交换信息",
        ],
        "problems_en": [
            "The TAS plan is missing or out of date",
            "The plan lacks detail",
            "The customer's decision core is never reached",
            "The competition is misjudged",
            "We overestimate how well we know the customer",
            "Changes at the customer are not foreseen or answered in time",
            "The customer's existing technical issues, such as maintenance, are neglected",
            "There is a strategy but no action plan",
            "Not everyone who influences the decision has been met",
        ],
        "problems_zh": [
            "没有完成或更新 TAS 计划",
            "计划不够详尽",
            "没有接触到客户的决策核心",
            "错误估计竞争形势",
            "高估了对客户信息的掌握程度",
            "没有及时预见或应对客户的变化",
            "忽视客户现有的技术问题(如维护服务)",
            "有策略而没有行动计划",
            "没有会见所有影响决策的人",
        ],
        "questions_en": [
            "Let's go through your plan together.",
            "What has to be done, and what is the customer's business pain?",
            "Which resources do we need to win?",
        ],
        "questions_zh": [
            "我们一起来看看你的计划。",
            "哪些事情必须做?客户的业务痛点是什么?",
            "赢得这个商机需要哪些资源?",
        ],
        "tools_en": [
            "TAS opportunity plan",
            "Partner rules of engagement and conflict management",
            "Win case studies",
            "Partner information and key contacts",
            "Key differences from the competitors",
            "Customer history",
        ],
        "tools_zh": [
            "TAS 项目计划",
            "合作伙伴介入规则和冲突管理",
            "成功案例分析",
            "合作伙伴资料和主要联系人",
            "与竞争对手的主要差异",
            "客户历史资料",
        ],
    },
    {
        "step": 4,
        "title_en": "Customer executive sponsorship",
        "title_zh": "客户高层支持",
        "definition_en": (
            "Gain the backing of the customer executives who decide on the project, and grow "
            "internal supporters at several levels who influence the technical choice, the "
            "commercial process and the final decision."
        ),
        "definition_zh": (
            "争取在项目中起决策作用的客户高层领导的支持,并在不同层面发展内部支持者,以把握客户的技"
            "术选型、商务流程直至最终决策。"
        ),
        "results_en": [
            "The customer's executives accept our company and our vision for the solution",
            "Internal supporters developed in the customer's management",
            "The procurement process is clearly understood",
        ],
        "results_zh": [
            "客户高层领导认同我们公司及方案思路",
            "在客户管理层中发展了内部支持者",
            "清楚了解客户的采购流程",
        ],
        "checklist_en": [
            "State the value proposition",
            "Prepare the call plan for the executive meeting",
            "Identify the issues the customer must solve urgently",
            "Agree with the customer who takes part in the assessment",
            "Agree a series of workshops",
            "Revisit the executive as planned and report progress",
        ],
        "checklist_zh": [
            "阐明价值主张",
            "准备拜访客户高层的计划",
            "确定客户急需解决的问题",
            "与客户共同确定项目研讨的参与者",
            "约定开展一系列研讨",
            "按计划回访客户领导并沟通进展",
        ],
        "practices_en": [
            "Get introduced to the executive rather than calling cold",
            (
                "Bring an industry case close to the customer's business and an executive-level "
                "value proposition"
            ),
            "Do your homework on the industry's trends and business drivers",
            (
                "Be a source of knowledge: offer fresh perspectives and connect technology to "
                "business growth"
            ),
            "Use partners' relationships with executives",
            "Talk about the business pain, listen, and steer the executive's thinking",
            "Involve our managers at matching levels and keep internal supporters informed",
            (
                "For key strategic deals, ask your manager for the Strategy & Architecture Team "
                "two weeks in advance"
            ),
        ],
        "practices_zh": [
            "尽量通过引荐获得会见领导的机会",
            "准备一个与客户业务相近的行业成功案例,以及面向高层的价值主张",
            "做好功课,了解行业发展趋势和业务驱动力",
            "扮演知识资源的角色:提供新的视角,把技术与业务发展结合起来",
            "借助合作伙伴与客户高层的关系",
            "与领导讨论业务痛点,倾听其见解并引导其思路",
            "邀请公司相应层级的经理参与客户工作,并让内部支持者随时了解进展",
            "对于重点战略项目,提前两周向经理申请战略项目专家组的支持",
        ],
        "problems_en": [
            "Preparation too thin to catch the executive's interest",
            (
                "Too much about technology and product, too little about business and competitive "
                "need"
            ),
            "No groundwork at the lower levels of the customer",
            "No value proposition tied to the customer's needs",
            "Lack of confidence",
            "Conflicts of interest inside the customer are overlooked",
            "Executives are sought only late in the sale",
            "The political core is not reached, or executives are not kept engaged",
        ],
        "problems_zh": [
            "准备不充分,无法引起领导的兴趣",
            "过于关注技术和产品,没能从业务发展和市场竞争的角度打动客户",
            "在客户基层缺乏铺垫",
            "没有提出与客户需求紧密相关的价值主张",
            "信心不足",
            "忽视客户内部的利益冲突",
            "到销售后期才寻找高层负责人",
            "没有触及政治核心力量,或未能保持高层的支持与参与",
        ],
        "questions_en": [
            "At what level does the business owner sit?",
            "How does this customer usually buy, and what is its purchasing experience?",
            "What is already understood about the procurement steps?",
        ],
        "questions_zh": [
            "业务负责人处于什么层级?",
            "客户在采购方面有什么经验和习惯?",
            "对采购的各个环节已经有哪些共识?",
        ],
        "tools_en": [
            "Brief on industry trends, hot spots and technical challenges",
            "Customer goals and position in its industry",
            "Our notable industry success cases",
            "Company introduction",
            "Executive meeting outline",
            "Partner information database",
        ],
        "tools_zh": [
            "行业趋势、热点和技术难点简要分析",
            "客户发展目标及其在行业中的地位",
            "我方知名的行业成功案例及要点",
            "公司介绍",
            "会见领导提纲",
            "合作伙伴信息数据库",
        ],
    },
    {
        "step": 5,
        "title_en": "Opportunity assessment",
        "title_zh": "项目研讨",
        "definition_en": (
            "Bring inside sales, presales, channel and professional services together to run "
            "workshops with the customer, so that you fully understand the business and technical "
            "needs, establish the value we bring, and shape a solution that stands out."
        ),
        "definition_zh": (
            "协调ISO、售前工程师、"
            "渠道和专业服务等资源,与客户开展交流和研讨,从而充分了解客户的业务和技术需求,明确我们能"
            "带来的价值,并制定有独到之处的解决方案。"
        ),
        "results_en": [
            "The customer's decision-makers accept the main points of our solution",
            "Business and technical issues recorded and confirmed with the customer",
            "The solution's business value shown with data, such as ROI",
        ],
        "results_zh": [
            "客户决策层认同解决方案中提出的主要观点",
            "记录业务和技术问题,并与客户确认",
            "用数据(如投资回报)说明解决方案的业务价值",
        ],
        "checklist_en": [
            "Build the assessment action plan",
            "Find the customer's operating principles in strategy, finance and people",
            "Find the IT policy and who owns it",
            "Assess how the competitors are doing",
            "Confirm every commercial, technical and financial obstacle",
            "Consider every risk and prepare a countermeasure",
            "Take and record a Go/No-Go decision",
        ],
        "checklist_zh": [
            "建立项目研讨的行动计划",
            "了解客户在战略、财务和人事方面的运作原则",
            "了解IT政策及其负责人",
            "评估竞争对手的表现",
            "确认所有商务、技术和财务方面的潜在障碍",
            "考虑所有风险并准备对策",
            "做出并记录 Go/No-Go 决定",
        ],
        "practices_en": [
            "Exchange views with technical, commercial and administrative decision-makers",
            "Widen the support for our solution",
            "Confirm the urgent issues and everything they affect",
            "Agree the rules of cooperation with the system integrator",
            "Learn the budget, the decision process and the timeline",
            "In hard-fought deals, decide Go/No-Go in good time",
            "Give the customer reasons to decide early",
            "Where needed, plan a proof of concept (POC) with the Strategy & Architecture Team",
        ],
        "practices_zh": [
            "与技术、商务和行政各层面的决策者交换意见",
            "扩大对我方方案的支持力量",
            "确认客户急需解决的问题及其涉及的方面",
            "与系统集成商确认合作规则",
            "了解客户预算,掌握决策流程和时间",
            "对于竞争激烈的商机,及时判断 Go/No-Go",
            "为客户尽早做出决定提供理由",
            "必要时与战略项目专家组一起规划概念验证(POC)",
        ],
        "problems_en": [
            "Merely following the customer's procurement process instead of shaping it",
            "Acting on wrong information because not every influencer was met",
            "The solution's business value is not demonstrated",
            "Our strengths are not linked to the competitors' weaknesses",
            "The proposal is written too early",
            "No business value is found",
        ],
        "problems_zh": [
            "只是被动跟随客户的采购流程,没有施加有效影响",
            "没有会见所有影响决策的人,依据了错误的信息",
            "没有充分展示解决方案的业务价值",
            "没有把我方优势与竞争对手的劣势联系起来",
            "过早编写建议书",
            "没有找到必要的业务价值",
        ],
        "questions_en": [
            "Have you recorded every business and technical issue?",
            "What is your POC strategy, and how will the customer measure success?",
            "What is your competitive strategy?",
        ],
        "questions_zh": [
            "你是否完整记录了所有业务和技术问题?",
            "你的概念验证(POC)策略是什么?客户用什么标准衡量成功?",
            "你的竞争策略是什么?",
        ],
        "tools_en": [
            "ROI calculation method (TBB)",
            "TAS opportunity plan, updated with the workshop findings",
            "Complete customer profile",
        ],
        "tools_zh": [
            "投资回报计算方法(TBB)",
            "根据研讨结果更新的 TAS 项目计划",
            "完整的客户档案",
        ],
    },
    {
        "step": 6,
        "title_en": "Opportunity validation",
        "title_zh": "项目确认",
        "definition_en": (
            "Turn everything you have learned into the customer's business and technical "
            "requirements, prepare the presentations and the proposal with the technical team, "
            "and get your manager's agreement to the solution, the configuration and the quote."
        ),
        "definition_zh": (
            "汇总所有信息,整理出客户的业务和技术需求;与技术团队配合准备方案简报和建议书,并使经理认"
            "同解决方案、配置和报价。"
        ),
        "results_en": [
            "The customer's executive verbally accepts the configuration and the quote",
            "Purchase confirmed for this quarter, or a firm purchase date set",
            (
                "The executive confirms the procurement process and commits support in "
                "negotiation and internal paperwork"
            ),
        ],
        "results_zh": [
            "客户高层领导口头同意配置和报价",
            "确认在本季度采购,或已确定具体采购时间",
            "高层领导确认采购流程,并承诺在商务谈判和内部手续方面给予支持",
        ],
        "checklist_en": [
            'Complete the proposal as a team, answering "why choose us?"',
            "Confirm price and commercial terms",
            "The internal supporter helps validate the solution",
            "Every risk is considered and has a countermeasure",
        ],
        "checklist_zh": [
            "通过内部协作完成解决方案建议书,回答“为什么选择我们?”",
            "确认价格和商务条款",
            "内部支持者协助确认解决方案",
            "所有风险均已考虑并有对策",
        ],
        "practices_en": [
            "Reconfirm the decision process, budget and timeline",
            (
                "Report the final configuration and price to your manager and settle the "
                "reseller's margin"
            ),
            "Have your manager confirm the discount and commercial terms",
            "Check that the solution meets the business need and the functional requirements",
            "Correct competitors' misleading claims promptly",
            "Rehearse the team presentation until it is flawless",
            (
                "Professional services confirm the solution and plan resources; the partner "
                "prepares the contract and commits order and payment dates"
            ),
        ],
        "practices_zh": [
            "再次确认决策流程、预算和时间表",
            "向经理报告最终配置和价格,并落实代理商的利润分配",
            "由经理确认折扣和商务条款",
            "确认解决方案满足客户的业务需求和具体功能要求",
            "及时澄清竞争对手对客户的误导",
            "充分准备并预演团队方案简报,确保万无一失",
            "专业服务确认方案并规划资源;合作伙伴准备合同,并承诺下单和付款时间",
        ],
        "problems_en": [
            "The customer's timeline or evaluation criteria are not understood",
            "The solution is fixed too early",
            "Working from assumed needs instead of the customer's real ones",
            "The customer's people disagree about our solution, configuration or quote",
            "The competitors and their partners are not understood",
            "What sets our solution apart is not made clear",
            "Roles and goals in the sales team are unclear",
            "Unwilling to spend time dealing with every risk",
        ],
        "problems_zh": [
            "没有充分了解客户的时间表或评估标准",
            "方案过早定型",
            "依据假设和想象的需求,而非客户的实际需求",
            "客户内部对我方方案、配置和报价的态度不一致",
            "不了解竞争对手及其合作伙伴的情况",
            "没有清楚说明我方解决方案的与众不同之处",
            "销售团队的职责和目标不清晰",
            "不愿花时间处理所有风险和隐患",
        ],
        "questions_en": [
            "What mistakes could we make?",
            "How firm a commitment did you get from the business owner?",
            "What should our price strategy be?",
            "In my place, would you put this in the forecast?",
            "How confident are you of winning?",
            "Has the executive committed to spending within our timeframe?",
        ],
        "questions_zh": [
            "我们可能会犯哪些错误?",
            "你从业务负责人那里得到了什么程度的承诺?",
            "我们的价格策略应该是什么?",
            "如果你是我,你会把它列入预测吗?",
            "你有多大把握赢单?",
            "高层领导是否承诺在我们预期的时间内采购?",
        ],
        "tools_en": [
            "Presentation template",
            "Proposal template",
            "Price book",
            "Standard quotation form",
            "Customer information sheet",
            "References and case studies",
            "Product material: roadmap and detailed description",
        ],
        "tools_zh": [
            "方案简报模板",
            "建议书模板",
            "产品价格手册",
            "标准报价单",
            "客户信息表",
            "参考资料和案例分析",
            "相关产品资料:产品前景和详细描述",
        ],
    },
    {
        "step": 7,
        "title_en": "Close",
        "title_zh": "收单",
        "definition_en": (
            "Once the customer accepts the commercial proposal, stay close to the customer's "
            "executive and push the reseller to sign the purchase contract with the customer. "
            "Then chase the order and payment from the reseller until the internal paperwork is "
            "done and the deal is booked."
        ),
        "definition_zh": (
            "客户接受商务方案后,保持与客户高层的沟通,推动代理商及时与客户签订采购合同。"
            "随后向代理商跟进订单和货款,完成内部商务手续后计入销售业绩。"
        ),
        "results_en": [
            "Commercial paperwork completed",
            "Goods shipped and the deal booked as sales",
            "Contract archived",
        ],
        "results_zh": [
            "商务手续已完成",
            "货品已发出,并计入销售业绩",
            "合同已存档",
        ],
        "checklist_en": [
            "Control the pace of closing together with the internal supporter",
            "Set the negotiation strategy",
            (
                "Choose the reseller and settle configuration, price, discount, margin, order and "
                "payment"
            ),
            "Confirm the commercial terms",
        ],
        "checklist_zh": [
            "在内部支持者的配合下控制收单节奏",
            "制定谈判策略",
            "确定代理商,并做好配置、价格、折扣、利润、订单、付款等商务安排",
            "确认商务条款",
        ],
        "practices_en": [
            "Get the reseller and the customer into commercial talks early",
            "Keep the customer's executive informed of commercial progress",
            "Keep your manager up to date on the latest commercial status",
            "Make sure the partner can deliver commercially and technically",
            (
                "Chase order and payment with channel sales; PO admin reports any exception in "
                "order, payment, shipping or booking"
            ),
            "Have professional services confirm the service scope and acceptance terms",
            "Confirm that payment has arrived and the goods have shipped",
        ],
        "practices_zh": [
            "尽早督促代理商和客户开始商务接触",
            "让客户主管领导随时了解商务进展",
            "及时向经理通报商务进展的最新情况",
            "确认合作伙伴的商务和技术执行能力",
            "与当地渠道销售一起追单收款;订单管理及时通报订单、收款、发货、业绩计算中的意外情况",
            "请专业服务部确认服务内容和验收条款",
            "确认款项已收到、货品已发出",
        ],
        "problems_en": [
            "Shortcuts taken earlier in the process have to be redone at the end",
            "Reorganisations at the customer are not foreseen",
            "The internal supporter is not used to head off surprises",
            "The reseller pays late, or unexpected delays are not anticipated",
            "No win/loss analysis",
        ],
        "problems_zh": [
            "在销售流程中走了捷径,最后不得不补课",
            "没有预见到客户组织可能发生的变动",
            "没有利用内部支持者的影响力化解意外情况",
            "代理商延迟付款,或未能预见意外的延误",
            "缺少赢单/丢单分析",
        ],
        "questions_en": [
            "Take me through each remaining step to close.",
            "Has the customer agreed to buy from us?",
            "Is the reseller having any trouble ordering or paying?",
        ],
        "questions_zh": [
            "请逐一说明收单还要经过的每个环节。",
            "客户是否已经同意向我们采购?",
            "代理商在下单或付款方面有没有问题?",
        ],
        "tools_en": [
            'Customer support "Welcome Package"',
            "Win/loss analysis record",
            "Order and payment exception report from PO admin",
        ],
        "tools_zh": [
            "客户支持部的“Welcome Package”(欢迎资料包)",
            "赢单/丢单分析记录",
            "订单管理提供的订单和收款异常报告",
        ],
    },
    {
        "step": 8,
        "title_en": "Account expansion",
        "title_zh": "客户拓展",
        "definition_en": (
            "Plan the account's next phase: the professional services and training that make the "
            "project a success, and the long-term sales strategy for the account."
        ),
        "definition_zh": (
            "制定该客户的后续发展计划,包括确保项目顺利实施的专业服务和培训资源,以及长期销售策略。"
        ),
        "results_en": [
            "The account plan is updated",
            "Concrete actions set to grow the business and develop new opportunities",
            "Services and training resources in place for the project to succeed",
        ],
        "results_zh": [
            "客户计划已更新",
            "制定了扩大业务、开发新商机的具体行动",
            "确保项目成功的服务和培训资源已经落实",
        ],
        "checklist_en": [
            "Update the account plan",
            "Win the customer's endorsement as a reference and publicise the success",
            "Find new opportunities through partners and consultants",
            "Keep personal relationships with the key executives",
        ],
        "checklist_zh": [
            "更新客户计划",
            "获得客户认可并请其作为推荐客户,宣传项目的成功",
            "借助合作伙伴和咨询顾问发现新的商机",
            "与关键领导保持个人关系",
        ],
        "practices_en": [
            "Keep watching the customer's policy direction and the competition",
            (
                "Visit the decision-makers regularly and introduce new products and technology as "
                "planned"
            ),
            "Keep publicising the success story",
            "Reach other departments by organising events",
            "Help the customer succeed with the product and thank supporters appropriately",
            "Repeat the success in similar organisations to find new opportunities",
        ],
        "practices_zh": [
            "持续关注客户的政策走向和竞争情况",
            "定期拜访决策者,有计划地介绍新产品和新技术",
            "持续宣传成功案例",
            "通过组织活动进入客户的其他部门",
            "推动产品在客户内部的成功应用,并以适当方式感谢支持者",
            "在类似的机构中复制成功经验,发现新的销售机会",
        ],
        "problems_en": [
            "No follow-up visits after delivery",
            "Poor hand-over to the customer when reps change",
            "No relationships built in new departments",
            "The success is not used to win new opportunities",
            "Services not prepared and professional services scope not defined in advance",
            "Poor hand-over to the services team",
            "Drifting away from what the customer or partner expects",
            "Executive changes at the customer are missed",
            "No win/loss analysis",
        ],
        "problems_zh": [
            "项目实施后缺少对客户的必要回访",
            "销售人员调整时与客户交接不好",
            "未能在新的部门建立关系",
            "没能借助项目的成功争取新的商机",
            "没有事先做好服务准备,专业服务的工作范围未提前界定",
            "与服务实施团队的交接不充分",
            "偏离客户或合作伙伴的期望",
            "没能及时了解客户高层的人事变动",
            "缺少赢单/丢单分析",
        ],
        "questions_en": [
            "Have you reported our success in writing to the customer's executives?",
            "What new opportunities can we develop in this account?",
            "What would it take to make them a reference customer?",
        ],
        "questions_zh": [
            "你是否以书面形式向客户高层报告了我们的成功?",
            "在这个客户还能开发哪些新的商机?",
            "怎样才能让他们成为样板客户?",
        ],
        "tools_en": [
            "Reference customer plan",
            "Technical seminars",
            "Product launch events",
            "Success stories and customer user meetings",
        ],
        "tools_zh": [
            "样板客户计划",
            "技术研讨会",
            "新产品发布活动",
            "成功案例和客户经验交流会",
        ],
    },
]
