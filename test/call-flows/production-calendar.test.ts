import { describe, expect, it } from 'vitest';
import { calendarHolidays, parseProductionCalendar, resolveSchedule, scheduleSchema } from '../../services/call-flows';
import { ext } from './helpers';

// The 2018 row as the open data portal publishes it (data.gov.ru 7708660670-proizvcalendar).
const CSV = `Год/Месяц,Январь,Февраль,Март,Апрель,Май,Июнь,Июль,Август,Сентябрь,Октябрь,Ноябрь,Декабрь,Всего рабочих дней,Всего праздничных и выходных дней,Количество рабочих часов при 40-часовой рабочей неделе,Количество рабочих часов при 36-часовой рабочей неделе,Количество рабочих часов при 24-часовой рабочей неделе
2018,"1,2,3,4,5,6,7,8,13,14,20,21,27,28","3,4,10,11,17,18,22*,23,24,25","3,4,7*,8,9,10,11,17,18,24,25,31","1,7,8,14,15,21,22,28*,29,30","1,2,5,6,8*,9,12,13,19,20,26,27","2,3,9*,10,11,12,16,17,23,24,30","1,7,8,14,15,21,22,28,29","4,5,11,12,18,19,25,26","1,2,8,9,15,16,22,23,29,30","6,7,13,14,20,21,27,28","3,4,5,10,11,17,18,24,25","1,2,8,9,15,16,22,23,29*,30,31",247,118,1970,1772.4,1179.6
`;

describe('production calendar', () => {
  it('parses days off and shortened days', () => {
    const r = parseProductionCalendar(CSV);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.years).toHaveLength(1);
    expect(r.years[0]!.shortened).toEqual(['2018-02-22', '2018-03-07', '2018-04-28', '2018-05-08', '2018-06-09', '2018-12-29']);
    expect(r.years[0]!.daysOff).toContain('2018-11-05');
    expect(r.years[0]!.daysOff).not.toContain('2018-04-28');
  });

  it('turns the year into schedule holidays: weekday days off and public holidays, ranges merged', () => {
    const r = parseProductionCalendar(CSV);
    if (!r.ok) throw new Error('parse');
    const h = calendarHolidays(r.years);
    expect(h.map((x) => [x.from, x.to, x.name])).toEqual([
      ['2018-01-01', '2018-01-08', 'Новогодние каникулы'],
      ['2018-02-23', null, 'День защитника Отечества'],
      ['2018-03-08', '2018-03-09', 'Международный женский день'],
      ['2018-04-30', '2018-05-02', 'Нерабочий день'],
      ['2018-05-09', null, 'День Победы'],
      ['2018-06-11', '2018-06-12', 'Нерабочий день'],
      ['2018-11-04', '2018-11-05', 'День народного единства'],
      ['2018-12-31', null, 'Нерабочий день'],
    ]);
    const s = scheduleSchema.parse({
      name: 'Офис',
      branches: [{ name: 'Будни', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', destination: ext('201') }],
      holidays: h,
      closed: ext('202'),
    });
    expect(resolveSchedule(s, new Date('2018-11-05T08:00:00Z')).state).toBe('holiday');
    expect(resolveSchedule(s, new Date('2018-11-06T08:00:00Z')).state).toBe('open');
  });

  it('names the line of a bad row, a day that does not exist, a missing month', () => {
    const bad = parseProductionCalendar('Год/Месяц,Январь\n2019,"1,2,3,40",,,,,,,,,,,\n2020,"1,2"\nхм,1\n');
    expect(bad).toEqual({
      ok: false,
      problems: [
        { line: 2, message: "2019-01: '40' is not a day of the month" },
        { line: 3, message: 'expected a year and 12 months, got 2 columns' },
        { line: 4, message: "expected a year in the first column, got 'хм'" },
      ],
    });
    expect(parseProductionCalendar('')).toEqual({ ok: false, problems: [{ line: 1, message: 'no year rows found' }] });
  });
});
