"""Article texts of the clutter set (tools/make_clutter_corpus.py): original fictional copy.

Each article: headline, byline, standfirst, paragraphs (a "## " paragraph is a subheading), one
photo caption and credit, and a pull quote that repeats a sentence of the body.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    section: str
    headline: str
    byline: str
    standfirst: str
    paragraphs: tuple[str, ...]
    caption: str
    credit: str
    pull_quote: str


STORIES = (
    Story(
        slug="harbour-ferry",
        section="Transport",
        headline="Harbour ferry to run through winter after council finds last-minute funding",
        byline="Mairi Calder",
        standfirst="The crossing had been due to stop in October, leaving islanders with a "
        "ninety-minute drive to the nearest hospital.",
        paragraphs=(
            "The ferry that links Inchmore to the mainland will keep running through the winter "
            "after the council agreed on Tuesday night to cover a shortfall of £410,000 in its "
            "operating budget, ending months of uncertainty for the island's 900 residents.",
            "Councillors voted by 31 to 4 to draw on reserves set aside for road repairs, a move "
            "the finance convener described as painful but unavoidable. The operator had warned "
            "in August that it would lay up the vessel at the end of October without more money.",
            "For people on the island the crossing is not a convenience. The nearest hospital is "
            "on the mainland, and without the ferry the only route is a single-track causeway "
            "that floods at high spring tides and adds an hour and a half to the journey.",
            "## A lifeline, not a luxury",
            "Fiona Ross, who runs the island's only shop, said the past few months had been the "
            "most anxious she could remember. “We had people asking whether they should move "
            "before the winter,” she said. “You cannot run a community on a maybe.”",
            "The operator's chief executive, Calum Reid, said fuel costs had risen by almost a "
            "third in two years while passenger numbers had not returned to their level before "
            "the pandemic. He welcomed the vote but said a longer settlement was needed.",
            "The council has asked the regional transport partnership to review the route's "
            "funding before the next financial year. A report is expected in February, and "
            "islanders have been promised a public meeting before any decision is taken.",
        ),
        caption="The Inchmore ferry leaving the mainland slipway on a calm morning in September.",
        credit="Ewan Murray",
        pull_quote="You cannot run a community on a maybe.",
    ),
    Story(
        slug="orchard-heat",
        section="Environment",
        headline="Growers count the cost as a second hot spring brings the apple blossom early",
        byline="Tomasz Wilk",
        standfirst="Early flowering leaves orchards exposed to late frosts, and this year many "
        "lost half their crop in a single night.",
        paragraphs=(
            "Apple growers in the valley say a second unusually warm spring in a row has brought "
            "the blossom out almost three weeks early, leaving the flowers exposed to the frosts "
            "that still arrive in late April and early May.",
            "On one night in April the temperature in the lower orchards fell to minus three "
            "degrees. By morning the blossom had browned on thousands of trees, and growers who "
            "had no frost protection lost between a third and a half of their expected harvest.",
            "Anna Kowal, whose family has grown apples on the same slope for four generations, "
            "walked the rows at dawn with a torch. “You could see it straight away,” she said. "
            "“The centres of the flowers had gone black. There was nothing to be done.”",
            "## Fans, fires and sprinklers",
            "Some of the larger farms now run wind machines that pull warmer air down from a few "
            "metres above the trees, or spray the blossom with water so that a skin of ice holds "
            "the temperature of the flower at zero. Both cost tens of thousands of pounds.",
            "Smaller growers cannot afford them. The growers' association has asked the "
            "government to extend its farm resilience grants to frost protection, arguing that "
            "the warming climate has turned an occasional risk into an annual one.",
            "Researchers at the regional agricultural college are testing late-flowering "
            "varieties that could cope better, but a new orchard takes five to seven years to "
            "come into full production, and growers say they need help long before then.",
        ),
        caption="Anna Kowal inspects frost-damaged blossom in her family's orchard in April.",
        credit="Lena Marsh",
        pull_quote="The centres of the flowers had gone black.",
    ),
    Story(
        slug="library-hours",
        section="Local",
        headline="Volunteers keep town library open on Saturdays as staff hours are cut",
        byline="Priya Natarajan",
        standfirst="A rota of forty volunteers has kept the doors open every weekend since the "
        "county cut the library's paid hours in spring.",
        paragraphs=(
            "When the county council cut the paid opening hours of Ashby's library from 42 a "
            "week to 28 in the spring, the first day to go was Saturday, the one day many working "
            "families and schoolchildren could visit.",
            "Within a fortnight a group of residents had drawn up a rota. Forty volunteers, "
            "trained by the library's two remaining staff, now open the building from ten until "
            "four every Saturday, issuing books, running a homework club and helping with forms.",
            "Margaret Okafor, a retired teacher who organises the rota, said the response had "
            "surprised her. “I thought we would struggle to fill the slots,” she said. “Instead "
            "we have a waiting list of people who want to help.”",
            "Visitor numbers on Saturdays have risen by a fifth since the volunteers took over, "
            "according to figures the county published last month, and the homework club now "
            "has more than thirty regular members from the town's two secondary schools.",
            "## Unease among librarians",
            "Not everyone is comfortable. The librarians' union said volunteers were being used "
            "to hide the effect of cuts and warned that the arrangement could become permanent "
            "without anyone deciding that it should. The county said the rota was temporary.",
            "The council's cabinet member for communities praised the volunteers and said the "
            "library's hours would be reviewed when the budget for next year was set, though she "
            "declined to promise that paid Saturday opening would return.",
        ),
        caption="Volunteers at the issue desk of Ashby library on a Saturday morning.",
        credit="Jon Hale",
        pull_quote="Instead we have a waiting list of people who want to help.",
    ),
    Story(
        slug="battery-plant",
        section="Business",
        headline="Battery recycling plant promises 300 jobs on former steelworks site",
        byline="Owen Price",
        standfirst="The company says the plant will recover lithium, nickel and cobalt from "
        "60,000 tonnes of old batteries a year.",
        paragraphs=(
            "A company that recovers metals from used electric-car batteries has announced plans "
            "for a plant on part of the former steelworks site at Carnford, promising about 300 "
            "jobs when it reaches full production in three years' time.",
            "Voltcycle said the plant would process up to 60,000 tonnes of batteries a year, "
            "shredding them and using a chemical process to recover lithium, nickel and cobalt "
            "that can be sold back to battery makers in Europe.",
            "The site has stood largely empty since the last furnace closed eleven years ago. "
            "The local MP called the announcement the best news the town had had in a decade, "
            "while cautioning that the jobs had to be open to people who lived nearby.",
            "The company's chief executive, Helen Achebe, said the location had been chosen "
            "for its rail connection, its large industrial buildings and a workforce with "
            "experience of heavy industry. Recruitment for the first 80 posts will begin in spring.",
            "Environmental campaigners welcomed the plans in principle but asked for details of "
            "how the plant would handle the fluorinated compounds released when batteries are "
            "shredded. The company said its process would meet the strictest European limits.",
            "A planning application is expected to be submitted to the council before the end "
            "of the year, and the company has said it will hold public exhibitions in Carnford "
            "before then so that residents can see the designs.",
        ),
        caption="Part of the former Carnford steelworks site, where the plant would be built.",
        credit="Rhys Bowen",
        pull_quote="The best news the town had had in a decade.",
    ),
    Story(
        slug="night-buses",
        section="City",
        headline="Night bus routes cut as operator blames driver shortage",
        byline="Sade Williams",
        standfirst="Shift workers say the loss of four routes leaves them walking home or paying "
        "for taxis they cannot afford.",
        paragraphs=(
            "Four night bus routes across the city will stop running from next month, the "
            "operator has confirmed, blaming a shortage of drivers willing to work overnight "
            "shifts and a fall in passengers since the pandemic.",
            "The routes, which run between midnight and five in the morning, are used mainly by "
            "hospital staff, cleaners, hotel workers and people leaving late shifts in the city "
            "centre's restaurants and bars.",
            "Grace Adeyemi, a nurse who finishes at half past midnight three times a week, said "
            "she would now face a forty-minute walk home along unlit roads. “I am not doing that "
            "in January,” she said. “So it will be a taxi, and that is a fifth of my shift gone.”",
            "The operator said it had 60 vacancies for drivers and that overnight shifts were "
            "the hardest to fill. It said it would restore the routes when recruitment improved "
            "and was offering a bonus to drivers who joined the night rota.",
            "## Calls for the city to step in",
            "The city's transport committee will discuss the cuts next week. Several councillors "
            "have called for the routes to be run under contract with public money, as happens "
            "with some rural daytime services, while others say the budget cannot stretch to it.",
            "Unions representing hospital staff have written to the operator and the council "
            "asking for an urgent meeting, saying the cuts would make it harder to recruit and "
            "keep night staff at a time when wards are already short.",
        ),
        caption="A night bus at the central interchange shortly after midnight.",
        credit="Martin Cole",
        pull_quote="So it will be a taxi, and that is a fifth of my shift gone.",
    ),
    Story(
        slug="river-survey",
        section="Science",
        headline="Volunteer survey finds otters back on every stretch of the river",
        byline="Elin Dafydd",
        standfirst="Sixty volunteers walked the river's banks over two weekends looking for "
        "spraint, footprints and holts.",
        paragraphs=(
            "Otters have returned to every stretch of the River Lune between its source and the "
            "estuary, according to a survey carried out by sixty volunteers over two weekends "
            "in September, the first complete count in more than twenty years.",
            "The volunteers walked both banks in pairs, recording spraint, the droppings otters "
            "use to mark their territory, along with footprints, feeding remains and possible "
            "holts. Signs were found on all 38 sections of the river they surveyed.",
            "When the last full survey was carried out, otters were recorded on only eleven of "
            "those sections. Pesticides that built up in the fish they ate had wiped them out "
            "across much of the country by the 1970s, and recovery was slow.",
            "Dr Ruth Pemberton, the ecologist who led the project, said the results reflected "
            "decades of cleaner water. “Otters are a good sign that the river is healthy enough "
            "to feed a top predator,” she said. “That was not true a generation ago.”",
            "She cautioned that the survey recorded presence, not numbers, and that otters range "
            "over long distances, so a handful of animals could account for signs on several "
            "sections. Camera traps will be set along the river next spring.",
            "The trust that organised the survey said the results would be shared with the "
            "water company and the environment agency, and that the volunteers would repeat "
            "the count every three years.",
        ),
        caption="Otter footprints in mud on the riverbank near Halton, found during the survey.",
        credit="Sam Ingram",
        pull_quote="That was not true a generation ago.",
    ),
)
