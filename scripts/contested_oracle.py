"""The population rules alone, judged on the gold: the gold's claims, figures, counted groups (as
written) and events go through conflictkg.populations and conflictkg.contradictions, and the pairs
found are compared with the pairs the scorer derives from the gold. It tells the population rules'
share of the scores apart from the extractor's (claims, figures, events).

    python scripts/contested_oracle.py ../shared/gold/dev2.yaml [GROUP DIGITS: 1 2 3 4] [-v]

GROUP DIGITS keep the articles whose file name starts with them (dev2's conflict groups), for
leave-one-group-out checks.
"""
import sys, collections
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'shared' / 'eval'))
import score_claims as sc
from conflictkg.extract import load_resources
from conflictkg.populations import PopulationRules, Party, event_context, population_key
from conflictkg.contradictions import ClaimFact, FigureFact, find_pairs
res = load_resources()
pr = PopulationRules(res.rules, res.dictionary)
d = res.dictionary
verbose = '-v' in sys.argv
groups_filter = [a for a in sys.argv[2:] if a.isdigit()]
gold = sc.load_gold(sys.argv[1])
def party(names):
    for n in names:
        a,_ = d.lookup(n)
        if a:
            p = pr.party_of(d.actors[a].iri)
            if p.known: return p, d.actors[a]
    return Party(), None
claims_by_event = collections.defaultdict(list)
desc = []
for art, ga in gold['articles'].items():
    if groups_filter and art[0] not in groups_filter: continue
    for gc in ga['claims']:
        if not gc.get('event') or not gc.get('figures'): continue
        p, entry = party(gc['claimant'])
        ck = None
        if entry is not None:
            ck = 'Soldiers' if p.nationality else ('Fighters' if p.side else None)
        figs = []
        for i, f in enumerate(gc['figures']):
            pop, why = pr.describe(f.get('group'), claimant=p, claimant_kind=ck)
            low, high, q = f.get('low'), f.get('high'), 'Exact'
            if f.get('approximate'): q = 'Approximately'
            if f.get('vague'): q, low = 'Vague', f['low_range'][0]
            figs.append(FigureFact(iri=f"{gc['id']}#{i}", measure=f['measure'], qualifier=q, surface=str(f.get('low')), low=low, high=high, population=pop))
            desc.append((gc['id'], f.get('group'), f.get('counts'), population_key(pop) if pop else f'NONE {why}'))
        names = {" ".join(sc.norm(n)) for n in gc['claimant']} - sc.GENERIC_CLAIMANT_NAMES - {""}
        claims_by_event[gc['event']].append(ClaimFact(iri=gc['id'], claimant=gc['claimant'][0], sources=frozenset(names), stance='Denies' if gc.get('kind')=='denial' else 'Asserts', figures=figs))
got = set()
for ev, cl in claims_by_event.items():
    pops = [f.population for c in cl for f in c.figures if f.population]
    ctx = event_context(pops, pr.parent)
    for p in find_pairs(cl, ctx):
        got.add((p.kind, frozenset((p.first_claim.iri, p.second_claim.iri))))
gp = [(k, frozenset((a[1], b[1])), req) for k, a, b, req in sc.gold_pairs(gold) if not groups_filter or (a[0][0] in groups_filter and b[0][0] in groups_filter)]
gset = {(k, s) for k, s, _ in gp}
for kind in ('contradiction', 'revision'):
    rep = {x for x in got if x[0] == kind}
    req = {(k, s) for k, s, r in gp if k == kind and r}
    tp = len(rep & gset); 
    print(f"{kind}: reported {len(rep)} correct {tp} P={tp/len(rep) if rep else None} R={len(req & rep)}/{len(req)}")
    for x in sorted(rep - gset, key=str): print('   FP', kind, sorted(x[1]))
    for x in sorted(req - rep, key=str): print('   FN', kind, sorted(x[1]))
if verbose:
    for x in desc: print('  ', x)
