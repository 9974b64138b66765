// The numbering plan's ranges (services/fmc/number-ranges.ts and the api's
// import plan): the registry's own header and operator names, the shipped
// sample, and bad lines refused with their line and field named.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRangeImport } from '../../services/api/commands/import-number-ranges';
import { operatorOfName } from '../../services/fmc';

describe('numbering plan ranges', () => {
  it('reads the registry format: DEF code, 7-digit first and last, the legal operator name', () => {
    const plan = planRangeImport('\uFEFFАВС/ DEF;От;До;Емкость;Оператор;Регион;ИНН\n916;0000000;4999999;5000000;ПАО "Мобильные ТелеСистемы";г. Москва;7740000076\n916;5000000;9999999;5000000;ПАО "МегаФон";г. Москва;7812014560\n');
    expect(plan.problems).toEqual([]);
    expect(plan.ranges).toEqual([
      { first: 79160000000, last: 79164999999, operator: 'mts', operatorName: 'ПАО "Мобильные ТелеСистемы"', region: 'г. Москва' },
      { first: 79165000000, last: 79169999999, operator: 'megafon', operatorName: 'ПАО "МегаФон"', region: 'г. Москва' },
    ]);
  });

  it('maps the registry’s names of the big five and MCN, anyone else is other', () => {
    expect(['ПАО "Вымпел-Коммуникации"', 'ООО "Т2 Мобайл"', 'ООО "Скартел"', 'ООО "МСН Телеком"', 'ООО "Газпром телеком"'].map(operatorOfName)).toEqual(['beeline', 't2', 'yota', 'mcn', 'other']);
  });

  it('the shipped sample imports whole', () => {
    const plan = planRangeImport(readFileSync(path.resolve('services/fmc/data/def-sample.csv'), 'utf8'));
    expect(plan.problems).toEqual([]);
    expect(plan.ranges.length).toBe(plan.total);
    expect(new Set(plan.ranges.map((r) => r.operator))).toEqual(new Set(['mts', 'megafon', 'beeline', 't2', 'yota', 'mcn']));
  });

  it('bad lines are named by line and field; overlapping ranges and a wrong header are refused', () => {
    const bad = planRangeImport('code;from;to;operator;region\n91;0000000;9999999;МТС;x\n916;5000000;0000000;МТС;x\n916;0000000;9999999;;x\n');
    expect(bad.problems).toEqual([
      { line: 2, field: 'code', message: 'must be a 3-digit ABC/DEF code, first digit 3–9' },
      { line: 3, field: 'to', message: 'must not be below "from"' },
      { line: 4, field: 'operator', message: 'must be 1–256 characters' },
    ]);
    const overlap = planRangeImport('code;from;to;operator;region\n916;0000000;5999999;МТС;x\n916;5000000;9999999;МегаФон;x\n');
    expect(overlap.problems).toEqual([{ line: 0, field: 'csv', message: 'ranges +79160000000…79165999999 and +79165000000…79169999999 overlap' }]);
    expect(planRangeImport('number;name\n1;2\n').problems).toEqual([{ line: 1, field: 'csv', message: 'header lacks: code, from, to, operator, region' }]);
  });
});
