// Самопроверка оборудования (korobka selftest) на странице лицензии:
// русский каталог (en-selftest.ts — те же ключи).
export const ruSelftest = {
  'st.title': 'Что выдерживает этот сервер',
  'st.never': 'Самопроверка ещё не запускалась. Запустите на сервере: korobka selftest (нагружает сервер на несколько минут).',
  'st.ranAt': 'Проверка',
  'st.mode.quick': 'быстрая',
  'st.mode.full': 'полная',
  'st.machine': 'Оборудование',
  'st.machineValue': '{cpus} ядер, {mem} ГБ, {model}',
  'st.setup': 'Установление вызовов с медиа',
  'st.setupValue': '{n} вызовов/с',
  'st.held': 'Одновременных вызовов с медиа',
  'st.conversion': 'Обработка записей',
  'st.conversionValue': '{n} с звука в секунду',
  'st.profile': 'Профиль лицензии с запасом',
  'st.profileNone': 'ни один (даже eval)',
  'st.margin': 'Запас: каждый показатель не меньше 1,5 × того, что нужно профилю.',
  'st.quickNote': 'Быстрая проверка даёт нагрузку только размера eval; для полной оценки запустите korobka selftest без --quick.',
  'st.belowLicence': 'Сервер может не выдержать лицензированный профиль {profile} с запасом.',
};
